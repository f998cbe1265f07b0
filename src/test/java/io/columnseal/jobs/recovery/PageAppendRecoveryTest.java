package io.columnseal.jobs.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.FaultyFs;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RecoveryTest's stopped append, in page mode (FORMAT.md section 12): recovered whole, and it decrypts. */
class PageAppendRecoveryTest {
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");

  @TempDir
  Path tmp;

  @BeforeAll
  static void registerFaultyFs() {
    FaultyFs.register(JobTestKit.spark().sparkContext().hadoopConfiguration());
  }

  @Test
  void aPageModeAppendThatStoppedAfterItsDataCommitIsRecoveredWholeAndDecrypts() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, RecoveryTest.batch(0, 6));

    FaultyFs.refuseManifestCommits(true);
    try {
      ManifestStorageException e = assertThrows(ManifestStorageException.class,
          () -> encrypt(kit, FaultyFs.url(dir), OutputMode.APPEND, RecoveryTest.batch(100, 6)));
      assertTrue(e.getCause().getMessage().contains("injected fault"), e.toString());
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    List<String> records = new ArrayList<>(RecoveryTest.pendingRecords(enc));
    assertEquals(1, records.size(), "one pending record: " + records);
    assertEquals(2, RecoveryTest.unrecorded(enc).size(), "the data commit happened");
    String dead = records.get(0).replace(".json", "");
    VerifyReport pending = VerifyJob.run(JobTestKit.spark(), RecoveryTest.verify(kit, enc));
    assertTrue(pending.findings.stream().anyMatch(f -> f.check.equals("incomplete-run") && f.message.contains(dead)),
        pending.toTerminal());

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, RecoveryTest.batch(200, 6));
    assertEquals(1, next.recovered.size());
    RecoveredRun rec = next.recovered.get(0);
    assertEquals(RecoveredRun.RECOVERED, rec.outcome, rec.describe());
    assertEquals(dead, rec.runId);
    assertEquals(6, rec.rows);
    assertEquals(2, rec.files);
    assertEquals(2, rec.deks, "one DEK per task: the footer's and both columns'");

    ManifestState m = OutputModesTest.state(enc);
    assertEquals(3, m.version(), "the recovered run's commit, then the new run's");
    Commit recovered = m.history().get(1);
    assertEquals(dead, recovered.runId());
    assertEquals("page", recovered.cellEncoding());
    assertEquals(6, recovered.formatVersion());
    assertEquals(6L, recovered.stats().get("rows"));
    assertEquals(11L, recovered.addedDeks().stream().mapToLong(d -> d.cells()).sum(), "6 card numbers, 5 names");
    assertEquals(List.of(), RecoveryTest.pendingRecords(enc));
    assertEquals(List.of(), RecoveryTest.unrecorded(enc));

    VerifyReport clean = VerifyJob.run(JobTestKit.spark(), RecoveryTest.verify(kit, enc));
    assertTrue(clean.ok(), clean.toTerminal());
    assertEquals(18, clean.rowsFound);
    assertEquals(6, clean.deksInData);
    Dataset<Row> expected = RecoveryTest.batch(0, 6).union(RecoveryTest.batch(100, 6)).union(RecoveryTest.batch(200, 6));
    assertEquals(JobTestKit.sorted(expected),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
  }

  private static RunSummary encrypt(JobTestKit kit, String output, OutputMode mode, Dataset<Row> input) {
    return EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
        .columns(SENSITIVE).encryptMode(EncryptMode.PAGE).keyService(kit.keys).kmsKey("alias/test")
        .outputPath(output).mode(mode).partitions(2).build(), input);
  }
}
