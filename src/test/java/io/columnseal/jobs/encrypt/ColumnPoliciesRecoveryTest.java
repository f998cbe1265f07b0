package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.jobs.FaultyFs;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.recovery.RecoveryTest;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStorageException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with column policies that stopped between its data commit and its manifest commit is
 * finished by the next run with the policies its pending record kept (format version 5).
 */
class ColumnPoliciesRecoveryTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void registerFaultyFs() {
    FaultyFs.register(JobTestKit.spark().sparkContext().hadoopConfiguration());
  }

  @Test
  void aStoppedRunIsRecoveredWithItsColumnPolicies() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    ColumnPoliciesRoundTripTest.createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    Path dir = tmp.resolve("enc");
    String url = FaultyFs.url(dir);
    FaultyFs.refuseManifestCommits(true);
    try {
      assertThrows(ManifestStorageException.class, () -> EncryptJob.run(spark,
          ColumnPoliciesRoundTripTest.settings(kit, url), ColumnPoliciesRoundTripTest.input(spark)));
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    assertEquals(1, RecoveryTest.pendingRecords(dir.toString()).size());

    EncryptSettings append = EncryptSettings.builder().datasetId("policies").inputPath("(memory)")
        .keyService(kit.keys).kmsKey("alias/test").outputPath(dir.toString()).mode(OutputMode.APPEND)
        .policies(ColumnPoliciesRoundTripTest.settings(kit, url).policies).build();
    RunSummary next = EncryptJob.run(spark, append, ColumnPoliciesRoundTripTest.input(spark));
    assertEquals(RecoveredRun.RECOVERED, next.recovered.get(0).outcome);

    ManifestState m = OutputModesTest.state(dir.toString());
    Commit first = m.history().get(0);
    assertEquals(5, first.formatVersion(), "the recovered commit records the policies");
    assertEquals(OutputChecks.schemaRecords(ColumnPoliciesRoundTripTest.SCHEMA, append), first.schema());
    assertEquals("alias/pan", first.schema().get(2).key());
    assertEquals("drop", first.schema().get(4).protection());

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(spark, kit.decryptTo(dir.toString(), out, "parquet"));
    assertEquals(List.of("id", "names", "card_number", "pan_masked"), Arrays.asList(spark.read().parquet(out).columns()));
    assertEquals(12, spark.read().parquet(out).count(), "the recovered run's rows and the append's");
  }
}
