package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ColumnsealException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.recovery.RecoveryTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KeyUnavailableException;
import io.columnseal.kms.RetryBudgets;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.ManifestCorruptException;
import io.columnseal.manifest.ManifestException;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestTamperedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults from docs/RELIABILITY.md's matrix that other classes do not already show. Each ends in
 * one of two states: a dataset that is complete and decrypts exactly, or nothing of the failed
 * run marked complete (no manifest commit, no pending record, no stray data file) and a re-run
 * that succeeds.
 */
class FaultMatrixTest {
  @TempDir
  Path tmp;
  private KmsTestServer kms;
  private JobTestKit kit;

  @BeforeEach
  void start() {
    kms = KmsTestServer.start();
    kms.createAlias("alias/cards", kms.createKey("cards master key"));
    kit = new JobTestKit(tmp);
  }

  @AfterEach
  void stop() {
    KeyServices.evict(kms.spec());
    kms.close();
  }

  @Test
  void kmsLatencyAndInternalErrorsAreAbsorbedAndTheDatasetIsExact() {
    String enc = tmp.resolve("enc").toString();
    kms.faults().latency(Duration.ofMillis(150)).internalErrors(0.3, 11);
    RunSummary run = EncryptJob.run(JobTestKit.spark(), onKms(enc, OutputMode.ERROR).build(), RecoveryTest.batch(0, 12));

    assertEquals(3, run.deks);
    assertTrue(kms.log().count("GenerateDataKey", "KMSInternalException") > 0, "the server did answer 500");
    assertEquals(3, kms.log().count("GenerateDataKey", LoggedRequest.OK));
    assertEquals(JobTestKit.sorted(RecoveryTest.batch(0, 12)), JobTestKit.sorted(decryptOnKms(enc)));
    kms.faults().clear();
    assertVerifies(enc);
  }

  @Test
  void aKmsOutageInTheMiddleOfAnAppendLeavesTheDatasetAsItWasAndTheRerunSucceeds() throws Exception {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), onKms(enc, OutputMode.ERROR).build(), RecoveryTest.batch(0, 6));
    ManifestState before = OutputModesTest.state(enc);
    kms.log().clear();

    // Two partitions get their DEK, then KMS stops answering: the other two exhaust their
    // retries (the SDK's, then Spark's task attempts) and the job fails. With the default
    // budget (8 SDK attempts) that takes about 27 s here; 2 attempts keep the test short.
    RetryBudgets.install(kms.spec(), 2);
    kms.faults().outageAfter("GenerateDataKey", 3); // the plan's DryRun check, then two partitions' DEKs
    long started = System.nanoTime();
    ColumnsealException e = assertThrows(ColumnsealException.class,
        () -> EncryptJob.run(JobTestKit.spark(), onKms(enc, OutputMode.APPEND).partitions(4).build(),
            RecoveryTest.batch(100, 8)));
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertTrue(e instanceof KeyUnavailableException, e.toString());
    assertTrue(e.getMessage().contains("GenerateDataKey"), e.getMessage());
    assertEquals(2, kms.log().count("GenerateDataKey", LoggedRequest.OK));
    assertTrue(kms.log().count("GenerateDataKey", LoggedRequest.DROPPED) > 0);
    System.out.println("FaultMatrixTest: the outage failed the append in " + seconds + " s");

    ManifestState after = OutputModesTest.state(enc);
    assertEquals(before.version(), after.version(), "no manifest commit");
    assertEquals(before.liveFiles(), after.liveFiles());
    assertEquals(List.of(), RecoveryTest.unrecorded(enc), "no data file of the failed run is left");
    assertTrue(RecoveryTest.pendingRecords(enc).isEmpty(), "no pending record: the data commit never happened");

    kms.faults().clear();
    assertVerifies(enc);
    RunSummary rerun = EncryptJob.run(JobTestKit.spark(), onKms(enc, OutputMode.APPEND).partitions(4).build(),
        RecoveryTest.batch(100, 8));
    assertNull(rerun.recovered, "nothing to recover");
    assertEquals(4, rerun.deks);
    assertEquals(JobTestKit.sorted(RecoveryTest.batch(0, 6).union(RecoveryTest.batch(100, 8))),
        JobTestKit.sorted(decryptOnKms(enc)));
    assertVerifies(enc);
  }

  /**
   * Two appends of the sample at once into a dataset that holds it, twice over: decrypt gives
   * it three times. (Before runs got work folders of their own, RunScopedCommitter, one run's
   * cleanup deleted the other's committed task files in 3 rounds of 4.)
   */
  @Test
  void twoAppendsAtOnceBothCommitAndEveryRowDecryptsOnce() throws Exception {
    for (int round = 1; round <= 2; round++) {
      String enc = tmp.resolve("enc-" + round).toString();
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<RunSummary>> runs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          runs.add(pool.submit(() -> {
            go.await();
            return EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).partitions(4).build());
          }));
        }
        go.countDown();
        RunSummary ra = runs.get(0).get(2, TimeUnit.MINUTES);
        RunSummary rb = runs.get(1).get(2, TimeUnit.MINUTES);

        ManifestState m = OutputModesTest.state(enc);
        assertEquals(3, m.version(), "round " + round);
        Set<String> committed = new TreeSet<>();
        m.history().subList(1, 3).forEach(c -> committed.add(c.runId()));
        assertEquals(new TreeSet<>(List.of(ra.runId, rb.runId)), committed, "round " + round + ": each run's own commit");
        assertEquals(Set.of(2L, 3L), Set.of(ra.manifestVersion, rb.manifestVersion));
        assertEquals(3 + 4 + 4, m.deks().size());
        assertTrue(RecoveryTest.pendingRecords(enc).isEmpty());
      } finally {
        pool.shutdownNow();
      }
      VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3,
          JobTestKit.SENSITIVE, null));
      assertTrue(r.ok(), "round " + round + ": " + r.toTerminal());
      Dataset<Row> sample = JobTestKit.sampleInput();
      assertEquals(JobTestKit.sorted(sample.union(sample).union(sample)),
          JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")), "round " + round);
    }
  }

  @Test
  void aTruncatedManifestCommitStopsDecryptVerifyAndAppendNamingTheFile() throws Exception {
    String enc = tmp.resolve("enc").toString();
    RecoveryTest.encrypt(kit, enc, OutputMode.ERROR, RecoveryTest.batch(0, 6));
    RecoveryTest.encrypt(kit, enc, OutputMode.APPEND, RecoveryTest.batch(100, 6));
    Path commit = Path.of(enc, "_columnseal", "log", "00000000000000000002.json");
    byte[] bytes = Files.readAllBytes(commit);
    // As a crash part way through a non-atomic write would leave it.
    Files.write(commit, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertRefusedEverywhere(enc, ManifestCorruptException.class, "00000000000000000002.json");
  }

  @Test
  void aManifestCommitWithOneChangedByteStopsDecryptVerifyAndAppendNamingTheFile() throws Exception {
    String enc = tmp.resolve("enc").toString();
    RecoveryTest.encrypt(kit, enc, OutputMode.ERROR, RecoveryTest.batch(0, 6));
    Path commit = Path.of(enc, "_columnseal", "log", "00000000000000000001.json");
    String text = Files.readString(commit, StandardCharsets.UTF_8);
    assertTrue(text.contains("\"rows\":6"), text);
    Files.writeString(commit, text.replace("\"rows\":6", "\"rows\":7"), StandardCharsets.UTF_8);

    assertRefusedEverywhere(enc, ManifestTamperedException.class, "00000000000000000001.json");
  }

  // ---- helpers

  private EncryptSettings.Builder onKms(String output, OutputMode mode) {
    return EncryptSettings.builder().datasetId("cards").inputPath("(memory)").columns(List.of("card_number", "cardholder_name"))
        .keyService(kms.spec()).kmsKey("alias/cards").outputPath(output).mode(mode).partitions(3);
  }

  private Dataset<Row> decryptOnKms(String enc) {
    String out = tmp.resolve("dec-" + System.nanoTime()).toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), true));
    return JobTestKit.spark().read().parquet(out);
  }

  private void assertVerifies(String enc) {
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kms.spec(), false, 3,
        List.of("card_number", "cardholder_name"), null));
    assertTrue(r.ok(), r.toTerminal());
  }

  /** decrypt, verify and an append all fail with {@code type}, naming the commit file; the append writes nothing. */
  private void assertRefusedEverywhere(String enc, Class<? extends ManifestException> type, String file) {
    String out = tmp.resolve("dec").toString();
    ManifestException d = assertThrows(type, () -> DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet")));
    assertTrue(d.getMessage().contains(file), d.getMessage());
    assertTrue(!Files.exists(Path.of(out)), "decrypt wrote nothing");

    ManifestException v = assertThrows(type, () -> VerifyJob.run(JobTestKit.spark(), RecoveryTest.verify(kit, enc)));
    assertTrue(v.getMessage().contains(file), v.getMessage());

    List<String> files = DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc));
    ManifestException a = assertThrows(type,
        () -> RecoveryTest.encrypt(kit, enc, OutputMode.APPEND, RecoveryTest.batch(300, 6)));
    assertTrue(a.getMessage().contains(file), a.getMessage());
    assertEquals(files, DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc)),
        "the refused append wrote no data file");
  }
}
