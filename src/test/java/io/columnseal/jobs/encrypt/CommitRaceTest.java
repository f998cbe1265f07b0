package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.GateFs;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.recovery.RecoveryTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two encrypt runs racing for one dataset (issue 10, item 1). {@link GateFs} holds each run at
 * the start of its Spark write until both have checked the output and the manifest, so both
 * manifest commits are planned against the same version and one of them must meet the other's.
 */
class CommitRaceTest {
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");

  @TempDir
  Path tmp;

  @BeforeAll
  static void registerGateFs() {
    GateFs.register(conf());
  }

  @Test
  void ofTwoErrorModeRunsOnANewOutputOneCommitsAndTheOtherFailsNamingItAndTakesItsFilesAway() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String manifest = tmp.resolve("manifest").toString();
    List<Dataset<Row>> inputs = List.of(RecoveryTest.batch(0, 6), RecoveryTest.batch(100, 6));

    List<Object> outcomes = race(kit, dir, manifest, OutputMode.ERROR, inputs);

    int won = outcomes.get(0) instanceof RunSummary ? 0 : 1;
    RunSummary winner = assertInstanceOf(RunSummary.class, outcomes.get(won));
    DatasetException lost = assertInstanceOf(DatasetException.class, outcomes.get(1 - won));
    assertTrue(lost.getMessage().contains("was created by run " + winner.runId + " while this run was writing "
        + "(output.mode=error); this run did not commit and its 2 data files were removed"), lost.getMessage());

    ManifestState m = state(manifest);
    assertEquals(1, m.version());
    assertEquals(winner.runId, m.lastCommit().runId());
    assertEquals(1, winner.manifestVersion);
    assertEquals(new ArrayList<>(m.liveFiles()), dataFiles(dir), "only the winner's files are in the folder");
    assertEquals(List.of(), pending(manifest), "the loser's pending record is gone");
    assertEquals(JobTestKit.sorted(inputs.get(won)), JobTestKit.sorted(decrypt(kit, dir, manifest)));
    assertVerifies(kit, dir, manifest);
  }

  @Test
  void twoOverwritesRacingGiveOneOutcomeTheLaterRetiresAndDeletesTheEarlierWithNoOrphans() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String manifest = tmp.resolve("manifest").toString();
    encrypt(kit, dir, manifest, OutputMode.ERROR, RecoveryTest.batch(0, 6));
    List<String> original = dataFiles(dir);
    List<Dataset<Row>> inputs = List.of(RecoveryTest.batch(100, 6), RecoveryTest.batch(200, 8));

    List<Object> outcomes = race(kit, dir, manifest, OutputMode.OVERWRITE, inputs);

    RunSummary a = assertInstanceOf(RunSummary.class, outcomes.get(0));
    RunSummary b = assertInstanceOf(RunSummary.class, outcomes.get(1));
    int last = a.manifestVersion == 3 ? 0 : 1;
    RunSummary later = last == 0 ? a : b;
    RunSummary earlier = last == 0 ? b : a;
    assertEquals(2, earlier.manifestVersion);
    assertEquals(3, later.manifestVersion);

    ManifestState m = state(manifest);
    assertEquals(3, m.version());
    Commit first = m.history().get(1);
    Commit second = m.history().get(2);
    assertEquals(CommitKind.OVERWRITE, first.kind());
    assertEquals(CommitKind.OVERWRITE, second.kind());
    assertEquals(earlier.runId, first.runId());
    assertEquals(original, first.removedFiles());
    // The retry retired what was live at its own commit: the earlier overwrite's files.
    assertEquals(first.files(), second.removedFiles());
    assertEquals(second.files(), new ArrayList<>(m.liveFiles()));
    assertEquals(second.files(), dataFiles(dir), "no retired or unrecorded file is left in the folder");
    assertEquals(List.of(), pending(manifest));
    assertEquals(JobTestKit.sorted(inputs.get(last)), JobTestKit.sorted(decrypt(kit, dir, manifest)));
    assertVerifies(kit, dir, manifest);
  }

  /** Runs one encrypt per input at once; each outcome is the run's summary or what it threw. */
  private static List<Object> race(JobTestKit kit, Path dir, String manifest, OutputMode mode,
      List<Dataset<Row>> inputs) throws Exception {
    GateFs.arm(dir, inputs.size());
    ExecutorService pool = Executors.newFixedThreadPool(inputs.size());
    try {
      List<Future<RunSummary>> runs = new ArrayList<>();
      for (Dataset<Row> in : inputs) {
        runs.add(pool.submit(() -> encrypt(kit, dir, manifest, mode, in)));
      }
      List<Object> outcomes = new ArrayList<>();
      for (Future<RunSummary> f : runs) {
        try {
          outcomes.add(f.get(3, TimeUnit.MINUTES));
        } catch (ExecutionException e) {
          outcomes.add(e.getCause());
        }
      }
      return outcomes;
    } finally {
      GateFs.disarm();
      pool.shutdownNow();
    }
  }

  private static RunSummary encrypt(JobTestKit kit, Path dir, String manifest, OutputMode mode, Dataset<Row> in) {
    return EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
        .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(GateFs.url(dir))
        .manifestPath(manifest).mode(mode).partitions(2).build(), in);
  }

  private static Configuration conf() {
    return JobTestKit.spark().sparkContext().hadoopConfiguration();
  }

  private static ManifestState state(String manifest) {
    return ManifestStore.at(new org.apache.hadoop.fs.Path(manifest), conf()).read().orElseThrow();
  }

  /** The data files in the folder, sorted as the manifest sorts them. */
  private static List<String> dataFiles(Path dir) {
    List<String> files = new ArrayList<>(DatasetFiles.dataFiles(conf(), new org.apache.hadoop.fs.Path(GateFs.url(dir))));
    files.sort(null);
    return files;
  }

  private static List<String> pending(String manifest) {
    String[] names = new File(manifest, "_pending").list();
    return names == null ? List.of() : List.of(names);
  }

  private Dataset<Row> decrypt(JobTestKit kit, Path dir, String manifest) {
    String out = tmp.resolve("dec-" + System.nanoTime()).toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(GateFs.url(dir), manifest, out, "parquet", List.of(),
        kit.keys, true));
    return JobTestKit.spark().read().parquet(out);
  }

  private static void assertVerifies(JobTestKit kit, Path dir, String manifest) {
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(GateFs.url(dir), manifest, kit.keys, false, 3,
        SENSITIVE, null));
    assertTrue(r.ok(), r.toTerminal());
  }
}
