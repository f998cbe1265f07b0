package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.dataset.RunIds;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.input.InputFiles;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.jobs.recovery.DriverProcess;
import io.columnseal.jobs.recovery.PendingRecord;
import io.columnseal.jobs.recovery.PendingRun;
import io.columnseal.jobs.recovery.RunCommitHook;
import io.columnseal.jobs.recovery.RunRecovery;
import io.columnseal.jobs.recovery.SealedDek;
import io.columnseal.jobs.recovery.TaskLedger;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.CommitConflictException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * encrypt: plan on the driver (validate, check the output and the manifest, DescribeKey), seal
 * in the executors (one DEK per non-empty partition), write Parquet through
 * {@link CellCommitProtocol}, and only after the data commit, commit the manifest.
 */
public final class EncryptJob {
  private static final Logger LOG = LoggerFactory.getLogger(EncryptJob.class);
  private static final String COMMIT_PROTOCOL_KEY = "spark.sql.sources.commitProtocolClass";
  private static final String PARQUET_COMMITTER_KEY = "spark.sql.parquet.output.committer.class";
  private static final int COMMIT_ATTEMPTS = 20;

  private final SparkSession spark;
  private final EncryptSettings s;
  private final Clock clock;
  private final Configuration conf;
  private final Path manifestDir;
  private final ManifestStore store;

  private EncryptJob(SparkSession spark, EncryptSettings s, Clock clock) {
    this.spark = spark;
    this.s = s;
    this.clock = clock;
    this.conf = spark.sparkContext().hadoopConfiguration();
    this.manifestDir = DatasetFiles.manifestDir(s.outputPath, s.manifestPath);
    this.store = ManifestStore.at(manifestDir, conf);
  }

  /** Encrypts the input that {@code settings} names (input.path, input.format, ...). */
  public static RunSummary run(SparkSession spark, EncryptSettings settings) {
    try {
      EncryptJob job = new EncryptJob(spark, settings, Clock.systemUTC());
      // Before reading the input, which can start Spark jobs (CSV schema inference).
      job.checkEncodingOfAppend(job.store.read());
      InputReader.Input input = InputReader.read(spark, settings.input());
      return job.run(input, InputFiles.of(input.rows, job.conf));
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
      // No input files to record: the caller's DataFrame may come from anywhere.
      return new EncryptJob(spark, settings, Clock.systemUTC()).run(new InputReader.Input(input, input.schema(), false),
          Map.of());
    } catch (Exception e) {
      throw JobFailures.unwrap(e);
    }
  }

  private RunSummary run(InputReader.Input input, Map<String, String> inputFiles) {
    Instant started = clock.instant();
    String runId = RunIds.next(started);
    // Marks the run as in progress here, so a concurrent run's recovery leaves its record alone.
    DriverProcess.runStarted(runId);
    try {
      return run(input, inputFiles, runId, started);
    } finally {
      DriverProcess.runEnded(runId);
    }
  }

  private RunSummary run(InputReader.Input input, Map<String, String> inputFiles, String runId, Instant started) {
    StructType data = input.dataSchema;
    int[] ordinals = EncryptPlanning.encryptedOrdinals(data, s.columns, s.partitionBy);
    List<RecoveredRun> recovered = recoverUnfinishedRuns(runId);
    Optional<ManifestState> before = store.read();
    checkOutput(before, data, inputFiles);
    if (input.rows.isEmpty()) {
      throw new InputException("input.path " + s.inputPath + " has no rows: nothing to encrypt");
    }

    OutputProbe.check(conf, s.outputPath, manifestDir, runId);
    // The first KMS call, after every check that needs none.
    KeyDescription key = KeyServices.shared(s.keyService).describeKey(s.kmsKey);
    if (!key.enabled()) {
      throw new KeyDisabledException("DescribeKey", key.keyArn(), "the key is " + key.state().kmsName()
          + "; encrypt needs an enabled key");
    }
    SealingPlan plan = new SealingPlan(s.datasetId, data, ordinals, s.encoding, s.keyService, key.keyArn(),
        s.extraContext, input.checksMalformed, InputReader.charsetOf(s.inputOptions));
    Path quarantineDir = QuarantineFolder.runDir(manifestDir, runId);
    if (s.malformed == MalformedRows.QUARANTINE) {
      plan = plan.quarantiningInto(quarantineDir.toString(), conf);
    }

    Dataset<Row> rows = s.partitions > 0 ? input.rows.repartition(s.partitions) : input.rows;
    JavaRDD<InternalRow> sealed = rows.queryExecution().toRdd().toJavaRDD().mapPartitions(new PartitionSealer(plan));

    PendingRun pending = new PendingRun(conf, DatasetFiles.pendingFile(manifestDir, runId),
        DatasetFiles.writeClaimFile(manifestDir, runId), pendingHeader(runId, data, before, inputFiles),
        encryptedNames(data, ordinals), clock);
    spark.sparkContext().setJobDescription("columnseal encrypt " + s.datasetId + " (run " + runId + ")");
    pending.claim();
    boolean written = false;
    try {
      write(plan.outputSchema(), sealed, runId, pending);
      written = true;
    } finally {
      // Not a catch: Spark throws SparkException, a checked exception Java does not see declared.
      if (!written) {
        if (plan.quarantineDir != null) {
          Quarantine.discard(conf, quarantineDir);
        }
        if (!pending.recordWritten()) {
          // Spark aborted the job before its data commit and removed the work folder.
          pending.deleteClaim();
        }
      }
    }
    if (!pending.dataCommitted()) {
      throw new IllegalStateException("the Spark write of run " + runId + " returned without committing its data");
    }

    List<TaskLedger> tasks = pending.tasks();
    requireCommittedFiles(runId, tasks, pending);
    if (plan.quarantineDir != null) {
      Quarantine.keepCommitted(conf, quarantineDir, tasks);
    }
    Path ownQuarantine = plan.quarantineDir == null ? null : quarantineDir;
    ManifestState after = commitManifest(runId, data, ordinals, tasks, before, inputFiles,
        () -> abandon(tasks, pending, ownQuarantine));
    pending.delete();
    if (s.mode == OutputMode.OVERWRITE) {
      deleteRetired(after);
    }
    RunSummary summary = summarize(runId, started, key.keyArn(), data, ordinals, tasks, after);
    if (!recovered.isEmpty()) {
      summary.recovered = recovered;
    }
    if (plan.quarantineDir != null) {
      summary.quarantinedRows = Quarantine.rows(tasks);
      summary.quarantine = quarantineDir.toString();
    }
    RunSummaries.write(conf, DatasetFiles.runSummaryFile(manifestDir, runId), summary);
    return summary;
  }

  /**
   * Before its own work, a run that may change the dataset finishes the runs that stopped
   * between their data commit and their manifest commit (docs/RELIABILITY.md). output.mode=error
   * changes nothing that exists, so it refuses instead.
   */
  private List<RecoveredRun> recoverUnfinishedRuns(String runId) {
    if (s.mode == OutputMode.ERROR) {
      Set<String> pending = DatasetFiles.pendingRecords(conf, manifestDir).keySet();
      if (!pending.isEmpty()) {
        throw new ConfigException("output.path " + s.outputPath + " holds unfinished run(s) " + pending
            + " (output.mode=error changes nothing that exists): "
            + DatasetSnapshot.recoverHint(s.outputPath));
      }
      return List.of();
    }
    return new RunRecovery(conf, s.outputPath, manifestDir, store, clock, "run " + runId, false).recoverAll();
  }

  /**
   * The last check before the manifest commit: every file Spark's commit reported is in the
   * dataset folder. A committer that lost one (two runs sharing Hadoop's _temporary did) must
   * not get a manifest commit naming it; the run fails and takes its other files away.
   */
  private void requireCommittedFiles(String runId, List<TaskLedger> tasks, PendingRun pending) {
    List<String> present = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    try {
      FileSystem fs = new Path(s.outputPath).getFileSystem(conf);
      for (TaskLedger t : tasks) {
        for (String f : t.files) {
          (fs.exists(new Path(s.outputPath, f)) ? present : missing).add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the files run " + runId + " committed in " + s.outputPath, e);
    }
    if (missing.isEmpty()) {
      return;
    }
    List<String> kept = DatasetFiles.deleteFiles(conf, s.outputPath, present);
    if (kept.isEmpty()) {
      pending.delete();
    }
    throw new DatasetException("run " + runId + ": Spark's commit reported " + (present.size() + missing.size())
        + " data files, but " + missing.size() + " of them are not in " + s.outputPath + " (first: " + missing.get(0)
        + "); the manifest was not committed and "
        + (kept.isEmpty() ? "the run's other files were removed: run it again"
            : kept.size() + " of its files could not be removed: run verify, then recover"));
  }

  /**
   * Takes a run's committed data away when its manifest commit is refused after the data commit
   * (it lost a race): its files, then its pending record and quarantine folder. Says what it did.
   */
  private String abandon(List<TaskLedger> tasks, PendingRun pending, Path quarantineDir) {
    List<String> files = new ArrayList<>();
    tasks.forEach(t -> files.addAll(t.files));
    List<String> kept = DatasetFiles.deleteFiles(conf, s.outputPath, files);
    if (!kept.isEmpty()) {
      // The pending record stays: it names the files, so recover can finish or verify can find them.
      return kept.size() + " of its " + files.size() + " data files could not be removed (first: " + kept.get(0)
          + "): run verify, then recover";
    }
    pending.delete();
    if (quarantineDir != null) {
      Quarantine.discard(conf, quarantineDir);
    }
    return "its " + files.size() + " data files were removed";
  }

  /** The pending record's facts that are known before the write: all but the tasks. */
  private PendingRecord pendingHeader(String runId, StructType data, Optional<ManifestState> before,
      Map<String, String> inputFiles) {
    PendingRecord r = new PendingRecord();
    r.datasetId = s.datasetId;
    r.runId = runId;
    r.mode = s.mode.name().toLowerCase();
    r.input = s.inputPath;
    r.inputFormat = s.inputFormat;
    r.baseVersion = before.map(ManifestState::version).orElse(0L);
    r.driver = DriverProcess.current();
    if (runScopedCommitter()) {
      r.workDir = DatasetFiles.WORK_ROOT + "/" + RunScopedCommitter.attemptOf(runId);
    }
    r.schema = new ArrayList<>();
    schemaRecords(data, s.columns).forEach(c -> r.schema.add(PendingRecord.Column.of(c)));
    r.cellEncoding = DatasetCellEncoding.name(s.encoding);
    r.inputs = new ArrayList<>(inputFiles.keySet());
    return r;
  }

  private static List<String> encryptedNames(StructType data, int[] ordinals) {
    List<String> names = new ArrayList<>();
    for (int o : ordinals) {
      names.add(data.fields()[o].name());
    }
    return names;
  }

  /**
   * Writes through {@link CellCommitProtocol}, set on a clone of the session so that other jobs
   * sharing the session keep their own commit protocol.
   */
  private void write(StructType schema, JavaRDD<InternalRow> sealed, String runId, PendingRun pending) {
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
    RunCommitHook.Registry.register(runId, pending);
    try {
      // Always an append into the dataset folder: overwrite retires old files in the manifest
      // after this commit, so a failed overwrite leaves the old dataset whole.
      // Its own work folder under _temporary, so runs appending at once do not share one.
      DataFrameWriter<Row> w = out.write().mode(SaveMode.Append).option(CellCommitProtocol.RUN_ID_OPTION, runId)
          .option(RunScopedCommitter.ATTEMPT_KEY, RunScopedCommitter.attemptOf(runId));
      if (runScoped) {
        // Algorithm 1 keeps committed tasks' files in the work folder until the job commit, after
        // the pending record is written; version 2 would move them into the dataset at task commit,
        // before any record names them, and recovery could not tell them apart.
        w = w.option(RunScopedCommitter.ALGORITHM_KEY, 1);
      }
      w.options(SealedParquetOptions.forColumns(s.columns, s.parquetPages))
          .partitionBy(s.partitionBy.toArray(new String[0])).parquet(s.outputPath);
    } finally {
      RunCommitHook.Registry.unregister(runId);
    }
  }

  /** True when the write uses {@link RunScopedCommitter}: the session has Parquet's default committer. */
  private boolean runScopedCommitter() {
    return RunScopedCommitter.DEFAULT_COMMITTER.equals(spark.conf().get(PARQUET_COMMITTER_KEY));
  }

  /** One dataset, one cell encoding: an append in another encoding is refused before any work. */
  private void checkEncodingOfAppend(Optional<ManifestState> state) {
    if (s.mode == OutputMode.APPEND && state.isPresent() && state.get().datasetId().equals(s.datasetId)) {
      DatasetCellEncoding.checkAppend(state.get(), s.encoding, conf, s.outputPath);
    }
  }

  /**
   * The repeat guard: an append whose input files (by path, size, modification time, ETag) are
   * in a commit whose data may still be live is refused, unless output.allowRepeat is set.
   */
  private void checkNotRepeated(ManifestState m, Map<String, String> inputFiles) {
    if (s.allowRepeat || inputFiles.isEmpty()) {
      return;
    }
    Map<String, String> committed = m.liveInputs();
    List<String> repeated = new ArrayList<>();
    String byRun = null;
    for (Map.Entry<String, String> f : inputFiles.entrySet()) {
      String run = committed.get(f.getKey());
      if (run != null) {
        repeated.add(f.getValue());
        byRun = byRun == null ? run : byRun;
      }
    }
    if (!repeated.isEmpty()) {
      throw new ConfigException("input.path " + s.inputPath + ": " + repeated.size() + " of its " + inputFiles.size()
          + " files were already committed to dataset " + m.datasetId() + " by run " + byRun + " (first: "
          + repeated.get(0) + ", same path, size and modification time); appending them again would duplicate "
          + "their rows: set output.allowRepeat=true if that is intended");
    }
  }

  private void checkOutput(Optional<ManifestState> state, StructType data, Map<String, String> inputFiles) {
    Path out = new Path(s.outputPath);
    if (state.isPresent()) {
      ManifestState m = state.get();
      if (!m.datasetId().equals(s.datasetId)) {
        throw new ConfigException("Cannot set dataset to " + s.datasetId + ": output.path " + s.outputPath
            + " already holds columnseal dataset " + m.datasetId() + "; use that id or another output.path");
      }
      if (s.mode == OutputMode.ERROR) {
        throw new ConfigException("output.path " + s.outputPath + " already holds dataset " + m.datasetId()
            + " (output.mode=error): set output.mode=append to add to it, or overwrite to replace its data");
      }
      if (s.mode == OutputMode.APPEND) {
        EncryptPlanning.checkSameShape(m, schemaRecords(data, s.columns), s.outputPath);
        checkEncodingOfAppend(state);
        checkNotRepeated(m, inputFiles);
      }
    } else if (DatasetFiles.existsNonEmpty(conf, out)) {
      if (s.mode == OutputMode.ERROR) {
        throw new ConfigException("output.path " + s.outputPath + " already exists (output.mode=error); "
            + "choose a new path, or remove it");
      }
      if (!DatasetFiles.dataFiles(conf, out).isEmpty()) {
        throw new ConfigException("output.path " + s.outputPath + " holds files but no columnseal manifest at "
            + manifestDir + "; refusing to " + s.mode.name().toLowerCase() + " into data columnseal did not write");
      }
    }
  }

  public static List<ColumnRecord> schemaRecords(StructType data, List<String> encrypted) {
    List<ColumnRecord> cols = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : data.fields()) {
      cols.add(ColumnRecord.of(f.name(), f.dataType().catalogString(), f.nullable(), encrypted.contains(f.name())));
    }
    return cols;
  }

  /**
   * Commits the run. On a race with another writer (docs/EXACTLY-ONCE.md): output.mode=error
   * loses (the winner created the dataset first) and takes its data away; append re-checks the
   * new state and retries as the next number; overwrite re-plans to retire what is live then.
   */
  private ManifestState commitManifest(String runId, StructType data, int[] ordinals, List<TaskLedger> tasks,
      Optional<ManifestState> before, Map<String, String> inputFiles, Supplier<String> abandon) {
    List<DekRecord> deks = new ArrayList<>();
    List<String> files = new ArrayList<>();
    long rows = 0;
    for (TaskLedger t : tasks) {
      for (SealedDek d : t.deks) {
        deks.add(DekRecord.builder().id(DekId.fromLong(d.dekId)).keyArn(d.keyArn).wrappedKey(d.wrappedKey)
            .encryptionContext(d.context).cells(d.cells).runId(runId).created(Instant.ofEpochMilli(d.createdMillis))
            .build());
      }
      files.addAll(t.files);
      rows += t.rows;
    }
    Map<String, Long> cells = cellsPerColumn(data, ordinals, tasks);
    Optional<ManifestState> state = before;
    for (int attempt = 1; ; attempt++) {
      boolean replaces = s.mode == OutputMode.OVERWRITE && state.isPresent();
      CommitDraft.Builder draft = CommitDraft.builder(replaces ? CommitKind.OVERWRITE : CommitKind.ENCRYPT,
          s.datasetId, runId)
          .operation("mode", s.mode.name().toLowerCase())
          .operation("input", s.inputPath)
          .operation("inputFormat", s.inputFormat)
          .schema(schemaRecords(data, s.columns))
          .cellEncoding(DatasetCellEncoding.name(s.encoding))
          .inputs(inputFiles.keySet())
          .addDeks(deks)
          .addFiles(files)
          .stat("rows", rows)
          .stat("deks", deks.size())
          .stat("tasks", tasks.size());
      cells.forEach((c, n) -> draft.stat("cells." + c, n));
      if (s.malformed == MalformedRows.QUARANTINE) {
        draft.operation("quarantine", QuarantineFolder.DIR + "/" + runId).stat("quarantinedRows", Quarantine.rows(tasks));
      }
      if (replaces) {
        draft.removeFiles(state.get().liveFiles());
      }
      long expected = state.map(ManifestState::version).orElse(0L);
      try {
        return store.commitAndRead(draft.build(), expected);
      } catch (CommitConflictException e) {
        state = store.read();
        if (s.mode == OutputMode.ERROR) {
          String winner = state.map(m -> m.history().get(0).runId()).orElse("(unknown)");
          throw new DatasetException("run " + runId + ": dataset " + s.datasetId + " at " + s.outputPath
              + " was created by run " + winner + " while this run was writing (output.mode=error); this run did not "
              + "commit and " + abandon.get());
        }
        if (attempt >= COMMIT_ATTEMPTS) {
          throw e;
        }
        LOG.info("manifest commit {} of dataset {} was taken by another writer; retrying as the next commit",
            expected + 1, s.datasetId);
        if (state.isPresent() && s.mode == OutputMode.APPEND) {
          try {
            EncryptPlanning.checkSameShape(state.get(), schemaRecords(data, s.columns), s.outputPath);
            checkEncodingOfAppend(state);
            checkNotRepeated(state.get(), inputFiles);
          } catch (ConfigException refused) {
            throw new DatasetException("run " + runId + ": a run that committed first changed what this append "
                + "may add: " + refused.getMessage() + "; this run did not commit and " + abandon.get());
          }
        }
      }
    }
  }

  private static Map<String, Long> cellsPerColumn(StructType data, int[] ordinals, List<TaskLedger> tasks) {
    Map<String, Long> cells = new LinkedHashMap<>();
    for (int k = 0; k < ordinals.length; k++) {
      long n = 0;
      for (TaskLedger t : tasks) {
        n += t.cellsPerColumn == null ? 0 : t.cellsPerColumn[k];
      }
      cells.put(data.fields()[ordinals[k]].name(), n);
    }
    return cells;
  }

  /**
   * Deletes exactly what the run's own commit retired: after a retry that is what was live at
   * that commit (another run's files included), not what was live when the run started.
   */
  private void deleteRetired(ManifestState after) {
    List<String> retired = after.lastCommit().removedFiles();
    DatasetFiles.deleteFiles(conf, s.outputPath, retired)
        .forEach(f -> LOG.warn("overwrite committed, but retired file {} could not be deleted", f));
  }

  private RunSummary summarize(String runId, Instant started, String keyArn, StructType data, int[] ordinals,
      List<TaskLedger> tasks, ManifestState after) {
    RunSummary r = new RunSummary();
    r.command = "encrypt";
    r.runId = runId;
    r.datasetId = s.datasetId;
    r.mode = s.mode.name().toLowerCase();
    r.input = s.inputPath;
    r.output = s.outputPath;
    r.masterKeyArn = keyArn;
    long deks = 0;
    long files = 0;
    long rows = 0;
    for (TaskLedger t : tasks) {
      deks += t.deks.size();
      files += t.files.size();
      rows += t.rows;
    }
    r.rowsRead = rows;
    r.rowsWritten = rows;
    r.cellsPerColumn = cellsPerColumn(data, ordinals, tasks);
    r.deks = deks;
    r.kmsCalls.put("DescribeKey", 1L);
    r.kmsCalls.put("GenerateDataKey", deks);
    r.files = files;
    r.tasks = tasks.size();
    r.manifestVersion = after.version();
    r.startedAt = started.toString();
    r.durationMillis = clock.millis() - started.toEpochMilli();
    return r;
  }
}
