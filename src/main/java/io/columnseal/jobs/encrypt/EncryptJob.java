package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.RunIds;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.input.InputFiles;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.recovery.DriverProcess;
import io.columnseal.jobs.recovery.PendingRun;
import io.columnseal.manifest.ColumnRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * encrypt, in three steps: {@link EncryptPlan} on the driver (validate, check the output and
 * the manifest, DescribeKey), {@link EncryptWrite} in Spark (seal one DEK per non-empty
 * partition, write Parquet through {@link CellCommitProtocol}), and {@link EncryptCommit} on
 * the driver, only after the data commit (the manifest commit, retired files, the summary).
 */
public final class EncryptJob {
  private EncryptJob() {}

  /** Encrypts the input that {@code settings} names (input.path, input.format, ...). */
  public static RunSummary run(SparkSession spark, EncryptSettings settings) {
    try {
      ProtectionSupport.checkAvailable(settings);
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      EncryptPlan.checkBeforeReading(settings, conf);
      // Without output.partitions the sealer reads the scan in its own task, and can take Spark's
      // FAILFAST parse failure itself (docs/jobs/encrypt.md "Malformed CSV rows").
      // Read and write on one clone: its time parser policy reaches the tasks that parse.
      SparkSession session = InputReader.sessionForReading(spark);
      InputReader.Input input = InputReader.readForSealing(session, settings.input(), settings.partitions == 0);
      return run(session, settings, input, InputFiles.of(input.rows, conf));
    } catch (Exception e) {
      throw JobFailures.unwrap(e);
    }
  }

  /**
   * Encrypts a DataFrame the caller built (for use as a library); {@code settings.inputPath}
   * only labels the run. Every other setting applies as for {@link #run(SparkSession, EncryptSettings)}.
   */
  public static RunSummary run(SparkSession spark, EncryptSettings settings, Dataset<Row> input) {
    try {
      ProtectionSupport.checkAvailable(settings);
      // No input files to record: the caller's DataFrame may come from anywhere.
      return run(spark, settings, new InputReader.Input(input, input.schema(), false), Map.of());
    } catch (Exception e) {
      throw JobFailures.unwrap(e);
    }
  }

  /** The columns of {@code data} as the manifest records them. */
  public static List<ColumnRecord> schemaRecords(StructType data, List<String> encrypted) {
    return OutputChecks.schemaRecords(data, encrypted);
  }

  private static RunSummary run(SparkSession spark, EncryptSettings settings, InputReader.Input input,
      Map<String, String> inputFiles) {
    Clock clock = Clock.systemUTC();
    Instant started = clock.instant();
    String runId = RunIds.next(started);
    // Marks the run as in progress here, so a concurrent run's recovery leaves its record alone.
    DriverProcess.runStarted(runId);
    try {
      EncryptPlan plan = EncryptPlan.make(settings, spark.sparkContext().hadoopConfiguration(), clock, runId, started,
          input, inputFiles);
      PendingRun pending = EncryptWrite.execute(spark, plan);
      return EncryptCommit.commit(plan, pending);
    } finally {
      DriverProcess.runEnded(runId);
    }
  }
}
