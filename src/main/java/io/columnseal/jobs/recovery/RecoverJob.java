package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.manifest.ManifestStore;
import java.time.Clock;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * recover: finishes, now, the encrypt runs of a dataset that stopped between their data commit
 * and their manifest commit, as the next encrypt run would before its own work
 * ({@link RunRecovery}, docs/RELIABILITY.md). Runs on the driver; no Spark job, no KMS call.
 */
public final class RecoverJob {
  private RecoverJob() {}

  /**
   * @param manifestPath where the manifest lives, or null for {@code <dataset>/_columnseal}
   * @param force take runs whose driver ran on another host for dead, however recent
   * @return what was done with each pending record; empty when there was none
   */
  public static List<RecoveredRun> run(SparkSession spark, String datasetPath, String manifestPath, boolean force) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path dir = DatasetFiles.manifestDir(datasetPath, manifestPath);
    return new RunRecovery(conf, datasetPath, dir, ManifestStore.at(dir, conf), Clock.systemUTC(), "recover command",
        force).recoverAll();
  }
}
