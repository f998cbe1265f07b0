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
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStorageException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A page-mode run that stopped between its data commit and its manifest commit is recovered as page mode. */
class PageRecoveryTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void registerFaultyFs() {
    FaultyFs.register(JobTestKit.spark().sparkContext().hadoopConfiguration());
  }

  private static EncryptSettings.Builder settings(JobTestKit kit, String output, OutputMode mode) {
    return EncryptSettings.builder().datasetId("cards").inputPath("(memory)").encryptMode(EncryptMode.PAGE)
        .columns(List.of("card_number", "cardholder_name")).keyService(kit.keys).kmsKey("alias/test")
        .outputPath(output).mode(mode).partitions(2);
  }

  @Test
  void theStoppedFirstRunBecomesAPageModeCommitOneAndDecrypts() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    Dataset<Row> first = RecoveryTest.batch(0, 6);
    FaultyFs.refuseManifestCommits(true);
    try {
      assertThrows(ManifestStorageException.class,
          () -> EncryptJob.run(JobTestKit.spark(), settings(kit, FaultyFs.url(dir), OutputMode.ERROR).build(), first));
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    assertEquals(1, io.columnseal.jobs.encrypt.BadInputTest.pendingRecords(enc).stream()
        .filter(r -> !r.endsWith(".mac")).count());

    Dataset<Row> second = RecoveryTest.batch(100, 6);
    RunSummary next = EncryptJob.run(JobTestKit.spark(), settings(kit, enc, OutputMode.APPEND).build(), second);
    assertEquals(RecoveredRun.RECOVERED, next.recovered.get(0).outcome, next.recovered.get(0).describe());
    ManifestState m = OutputModesTest.state(enc);
    assertEquals(2, m.version());
    for (Commit c : m.history()) {
      assertEquals(6, c.formatVersion());
      assertEquals("page", c.cellEncoding());
    }
    assertEquals(4, m.deks().size(), "two tasks per run, one key group");
    assertTrue(m.liveFiles().stream().allMatch(f -> m.boundFile(f).orElseThrow().deks().size() == 1));
    assertEquals(JobTestKit.sorted(first.union(second)),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
  }
}
