package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * recover: finishes, now, the encrypt runs of a dataset that stopped between their data commit
 * and their manifest commit, as the next encrypt run would before its own work
 * ({@link RunRecovery}, docs/RELIABILITY.md). Runs on the driver; no Spark job, no KMS call
 * (except DescribeKey of alias entries of {@code kms.allowedKeys}, when needed).
 */
public final class RecoverJob {
  private RecoverJob() {}

  /** As {@link #run(SparkSession, String, String, boolean, TrustedKeys, KeyService)} with the default trusted keys. */
  public static List<RecoveredRun> run(SparkSession spark, String datasetPath, String manifestPath, boolean force) {
    return run(spark, datasetPath, manifestPath, force, null, null);
  }

  /**
   * @param manifestPath where the manifest lives, or null for {@code <dataset>/_columnseal}
   * @param force take runs whose driver ran on another host for dead, however recent
   * @param allowedKeys kms.allowedKeys, or null for the default
   * @param kms resolves alias entries of {@code allowedKeys}; null when no key service is configured
   * @return what was done with each pending record; empty when there was none
   * @throws io.columnseal.kms.UntrustedKeyException before anything is moved or committed, when
   *     a DEK of the manifest or of a pending record is wrapped under a key that is not allowed
   */
  public static List<RecoveredRun> run(SparkSession spark, String datasetPath, String manifestPath, boolean force,
      TrustedKeys allowedKeys, KeyService kms) {
    return run(spark, datasetPath, manifestPath, force, allowedKeys, kms, null);
  }

  /**
   * @param macKey manifest.macKey, or null: the head must be authenticated by it, and the
   *     recovered commits are MAC'd (needs {@code kms})
   */
  public static List<RecoveredRun> run(SparkSession spark, String datasetPath, String manifestPath, boolean force,
      TrustedKeys allowedKeys, KeyService kms, String macKey) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path dir = DatasetFiles.manifestDir(datasetPath, manifestPath);
    if (KeyTrust.macKey(macKey) != null && kms == null) {
      throw new io.columnseal.ConfigException("manifest.macKey needs kms.provider (GenerateMac and VerifyMac are KMS calls)");
    }
    ManifestStore store = ManifestStore.at(dir, conf).withMacKey(KeyTrust.writerMacKey(kms, macKey));
    checkKeys(conf, dir, store.read(), allowedKeys, kms, "recover");
    return new RunRecovery(conf, datasetPath, dir, store, Clock.systemUTC(), "recover command", force,
        KeyTrust.macKey(kms, KeyTrust.macKey(macKey)), keyCheck(dir, allowedKeys, kms, "recover")).recoverAll();
  }

  /**
   * A recovered commit makes a pending record's DEKs part of the dataset, so they are held to
   * the list readers use, with the manifest's own, before anything happens.
   */
  public static void checkKeys(Configuration conf, Path dir, Optional<ManifestState> state, TrustedKeys allowedKeys,
      KeyService kms, String job) {
    List<PendingRecord> records = new ArrayList<>();
    for (Path file : DatasetFiles.pendingRecords(conf, dir).values()) {
      PendingRecord rec = PendingRecord.readIfPresent(conf, file);
      if (rec != null) {
        records.add(rec);
      }
    }
    check(dir, state, records, allowedKeys, kms, job);
  }

  /**
   * The same check of the one record {@link RunRecovery} is about to commit: a record written
   * after {@link #checkKeys} listed the folder is held to it too.
   */
  public static RunRecovery.RecordCheck keyCheck(Path dir, TrustedKeys allowedKeys, KeyService kms, String job) {
    return (state, rec) -> check(dir, state, List.of(rec), allowedKeys, kms, job);
  }

  private static void check(Path dir, Optional<ManifestState> state, List<PendingRecord> records,
      TrustedKeys allowedKeys, KeyService kms, String job) {
    Map<String, Long> counts = new TreeMap<>(state.map(s -> KeyTrust.countByKey(s.deks().values())).orElse(Map.of()));
    for (PendingRecord rec : records) {
      if (rec.tasks == null) {
        continue;
      }
      for (PendingRecord.Task t : rec.tasks) {
        if (t.deks != null) {
          t.deks.forEach(d -> counts.merge(d.keyArn, 1L, Long::sum));
        }
      }
    }
    if (state.isPresent()) {
      KeyTrust.check(allowedKeys, state.get(), counts, kms, job);
    } else if (allowedKeys != null) {
      // No commit yet: the default has nothing to go by and trusts the run's own keys.
      allowedKeys.check(counts, kms, job + " of dataset at " + dir.getParent());
    }
  }
}
