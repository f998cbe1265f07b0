package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.recovery.DriverProcess;
import io.columnseal.jobs.recovery.PendingRecord;
import io.columnseal.jobs.recovery.PendingRun;
import io.columnseal.jobs.recovery.RunCommitHook;
import io.columnseal.manifest.ManifestState;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark part of an encrypt run: seal each partition in the executors ({@link PartitionSealer})
 * and write Parquet through {@link CellCommitProtocol}, under a claim and a pending record so that
 * a driver that dies after the data commit leaves a run recovery can finish (docs/EXACTLY-ONCE.md).
 */
final class EncryptWrite {
  private static final String COMMIT_PROTOCOL_KEY = "spark.sql.sources.commitProtocolClass";
  private static final String PARQUET_COMMITTER_KEY = "spark.sql.parquet.output.committer.class";

  private final SparkSession spark;
  private final EncryptPlan p;

  private EncryptWrite(SparkSession spark, EncryptPlan p) {
    this.spark = spark;
    this.p = p;
  }

  /** Seals and writes; returns the run's pending record once Spark committed the data. */
  static PendingRun execute(SparkSession spark, EncryptPlan plan) {
    return new EncryptWrite(spark, plan).execute();
  }

  private PendingRun execute() {
    Dataset<Row> rows = p.s.partitions > 0 ? p.input.rows.repartition(p.s.partitions) : p.input.rows;
    // Page mode seals nothing here: Parquet's writer encrypts the pages (docs/FORMAT.md section 12).
    JavaRDD<InternalRow> sealed = rows.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(p.s.pageMode() ? new PagePartition(p.sealing, p.s.pageAlgorithm, p.s.partitionBy.size())
            : new PartitionSealer(p.sealing));
    PendingRun pending = new PendingRun(p.conf, DatasetFiles.pendingFile(p.manifestDir, p.runId),
        DatasetFiles.writeClaimFile(p.manifestDir, p.runId), pendingHeader(), encryptedNames(), p.clock, p.macKey());
    spark.sparkContext().setJobDescription("columnseal encrypt " + p.s.datasetId + " (run " + p.runId + ")");
    pending.claim();
    boolean written = false;
    try {
      write(p.s.pageMode() ? PagePartition.outputSchema(p.sealing) : p.sealing.outputSchema(), sealed, pending);
      written = true;
    } finally {
      // Not a catch: Spark throws SparkException, a checked exception Java does not see declared.
      if (!written) {
        if (p.quarantines()) {
          Quarantine.discard(p.conf, p.quarantineDir);
        }
        if (!pending.recordWritten()) {
          // Spark aborted the job before its data commit and removed the work folder.
          pending.deleteClaim();
        }
      }
    }
    if (!pending.dataCommitted()) {
      throw new IllegalStateException("the Spark write of run " + p.runId + " returned without committing its data");
    }
    return pending;
  }

  /** The pending record's facts that are known before the write: all but the tasks. */
  private PendingRecord pendingHeader() {
    PendingRecord r = new PendingRecord();
    r.datasetId = p.s.datasetId;
    r.runId = p.runId;
    r.mode = p.s.mode.name().toLowerCase();
    r.input = p.s.inputPath;
    r.inputFormat = p.s.inputFormat;
    r.baseVersion = p.before.map(ManifestState::version).orElse(0L);
    r.driver = DriverProcess.current();
    if (runScopedCommitter()) {
      r.workDir = DatasetFiles.WORK_ROOT + "/" + RunScopedCommitter.attemptOf(p.runId);
    }
    r.schema = new ArrayList<>();
    OutputChecks.schemaRecords(p.data, p.s, p.recordedOptions()).forEach(c -> r.schema.add(PendingRecord.Column.of(c)));
    r.cellEncoding = OutputChecks.encodingName(p.s);
    r.inputs = new ArrayList<>(p.inputFiles.keySet());
    return r;
  }

  private List<String> encryptedNames() {
    List<String> names = new ArrayList<>();
    for (int o : p.ordinals) {
      names.add(p.data.fields()[o].name());
    }
    return names;
  }

  /**
   * Writes through {@link CellCommitProtocol}, set on a clone of the session so that other jobs
   * sharing the session keep their own commit protocol.
   */
  private void write(StructType schema, JavaRDD<InternalRow> sealed, PendingRun pending) {
    SparkSession writer = spark.cloneSession();
    String inner = writer.conf().get(COMMIT_PROTOCOL_KEY);
    if (!CellCommitProtocol.class.getName().equals(inner)) {
      writer.conf().set(CellCommitProtocol.INNER_CLASS_KEY, inner);
    }
    writer.conf().set(COMMIT_PROTOCOL_KEY, CellCommitProtocol.class.getName());
    // On the clone only: the clear columns keep their type whatever the cluster's default.
    writer.conf().set(SealedParquetOptions.TIMESTAMP_TYPE_KEY, SealedParquetOptions.TIMESTAMP_TYPE);
    boolean runScoped = runScopedCommitter();
    if (runScoped) {
      writer.conf().set(PARQUET_COMMITTER_KEY, RunScopedCommitter.class.getName());
    }
    Dataset<Row> out = writer.internalCreateDataFrame(sealed.rdd(), schema, false);
    RunCommitHook.Registry.register(p.runId, pending);
    try {
      // Always an append into the dataset folder: overwrite retires old files in the manifest
      // after this commit, so a failed overwrite leaves the old dataset whole.
      // Its own work folder under _temporary, so runs appending at once do not share one.
      DataFrameWriter<Row> w = out.write().mode(SaveMode.Append).option(CellCommitProtocol.RUN_ID_OPTION, p.runId)
          .option(RunScopedCommitter.ATTEMPT_KEY, RunScopedCommitter.attemptOf(p.runId));
      if (runScoped) {
        // Algorithm 1 keeps committed tasks' files in the work folder until the job commit, after
        // the pending record is written; version 2 would move them into the dataset at task commit,
        // before any record names them, and recovery could not tell them apart.
        w = w.option(RunScopedCommitter.ALGORITHM_KEY, 1);
      }
      if (p.s.pageMode()) {
        // On this write's options only (they reach its Hadoop configuration), never the session's.
        w = w.option(PageEncryption.FACTORY_KEY, PageEncryption.class.getName());
      }
      // Page mode keeps dictionaries: its columns hold plain values, encrypted after encoding.
      w.options(SealedParquetOptions.forColumns(p.s.pageMode() ? List.of() : p.s.columns, p.s.parquetPages))
          .partitionBy(p.s.partitionBy.toArray(new String[0])).parquet(p.s.outputPath);
    } finally {
      RunCommitHook.Registry.unregister(p.runId);
    }
  }

  /** True when the write uses {@link RunScopedCommitter}: the session has Parquet's default committer. */
  private boolean runScopedCommitter() {
    return RunScopedCommitter.DEFAULT_COMMITTER.equals(spark.conf().get(PARQUET_COMMITTER_KEY));
  }
}
