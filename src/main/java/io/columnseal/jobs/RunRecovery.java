package io.columnseal.jobs;

import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitConflictException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.InvalidCommitException;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.manifest.NoSuchManifestVersionException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes encrypt runs that stopped between their data commit and their manifest commit
 * (docs/RELIABILITY.md). For each pending record, on the driver, with no KMS call:
 * <ul>
 *   <li>the manifest already holds the run: the record was left behind; delete it;
 *   <li>the run's driver may still be running: leave it alone;
 *   <li>none of its files is in the dataset folder: the data commit never happened; delete it;
 *   <li>otherwise write the commit the run did not: its files that are there, the DEKs of the
 *       tasks that wrote them, the rows in them, under the dead run's id with operation mode
 *       {@code recovered}; then delete the record.
 * </ul>
 * A dead overwrite is finished as an overwrite: it retires the files that were live in the
 * version it planned against, so its rows replace those and not the rows of later appends.
 */
final class RunRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(RunRecovery.class);
  /**
   * How old the record of a run whose driver ran on another host must be before it is taken
   * for dead: far longer than any data commit takes. {@code recover --force} does not wait.
   */
  static final Duration UNKNOWN_DRIVER_GRACE = Duration.ofHours(1);
  private static final int COMMIT_ATTEMPTS = 20;

  private final Configuration conf;
  private final String datasetPath;
  private final Path manifestDir;
  private final ManifestStore store;
  private final Clock clock;
  private final String recoveredBy;
  private final boolean force;

  /**
   * @param recoveredBy who recovers, for the audit trail ("run 2026...", "recover command")
   * @param force take a run whose driver ran on another host for dead whatever its record's age
   */
  RunRecovery(Configuration conf, String datasetPath, Path manifestDir, ManifestStore store, Clock clock,
      String recoveredBy, boolean force) {
    this.conf = conf;
    this.datasetPath = datasetPath;
    this.manifestDir = manifestDir;
    this.store = store;
    this.clock = clock;
    this.recoveredBy = recoveredBy;
    this.force = force;
  }

  /** Handles every pending record, oldest run first. */
  List<RecoveredRun> recoverAll() {
    List<RecoveredRun> out = new ArrayList<>();
    for (Path record : DatasetFiles.pendingRecords(conf, manifestDir).values()) {
      RecoveredRun r = recover(record);
      if (RecoveredRun.LEFT_ALONE.equals(r.outcome)) {
        LOG.warn("{}", r.describe());
      } else {
        LOG.warn("dataset {}: {}", datasetPath, r.describe());
      }
      out.add(r);
    }
    return out;
  }

  private RecoveredRun recover(Path file) {
    PendingRecord rec = PendingRecord.read(conf, file);
    Optional<ManifestState> state = store.read();
    if (state.isPresent() && !state.get().datasetId().equals(rec.datasetId)) {
      throw new DatasetException("the pending record " + file + " is of dataset " + rec.datasetId + ", but the manifest at "
          + manifestDir + " is of dataset " + state.get().datasetId() + "; it was not written here: remove it by hand");
    }
    if (holds(state, rec)) {
      delete(file);
      return RecoveredRun.of(rec, RecoveredRun.ALREADY_COMMITTED);
    }
    String busy = stillRunning(rec);
    if (busy != null) {
      RecoveredRun r = RecoveredRun.of(rec, RecoveredRun.LEFT_ALONE);
      r.note = busy;
      return r;
    }
    Found found = find(rec);
    if (found.files.isEmpty()) {
      delete(file);
      return RecoveredRun.of(rec, RecoveredRun.DISCARDED);
    }
    ManifestState after;
    for (int attempt = 1; ; attempt++) {
      long expected = state.map(ManifestState::version).orElse(0L);
      Set<String> retired = retired(rec, state);
      try {
        after = store.commitAndRead(draft(rec, found, state.isPresent(), retired), expected);
        break;
      } catch (CommitConflictException e) {
        if (attempt >= COMMIT_ATTEMPTS) {
          throw e;
        }
        state = store.read();
        if (holds(state, rec)) {
          delete(file);
          return RecoveredRun.of(rec, RecoveredRun.ALREADY_COMMITTED);
        }
      } catch (InvalidCommitException e) {
        throw new DatasetException("cannot recover run " + rec.runId + " from " + file + ": " + e.getMessage()
            + "; the record is kept. If that run's data is not wanted, delete the record and the files verify"
            + " reports as unrecorded");
      }
    }
    delete(file);
    if ("overwrite".equals(rec.mode) && state.isPresent()) {
      List<String> retiredNow = new ArrayList<>();
      for (String f : state.get().liveFiles()) {
        if (!after.liveFiles().contains(f)) {
          retiredNow.add(f);
        }
      }
      DatasetFiles.deleteFiles(conf, datasetPath, retiredNow).forEach(f -> LOG.warn(
          "recovered overwrite {} committed, but retired file {} could not be deleted", rec.runId, f));
    }
    RecoveredRun r = RecoveredRun.of(rec, RecoveredRun.RECOVERED);
    r.manifestVersion = after.version();
    r.rows = found.rows;
    r.files = found.files.size();
    r.filesNotFound = found.missing;
    r.deks = found.deks.size();
    return r;
  }

  /** True when the manifest already has the run: a commit under its id, or one of its files. */
  private static boolean holds(Optional<ManifestState> state, PendingRecord rec) {
    if (state.isEmpty()) {
      return false;
    }
    Set<String> files = new TreeSet<>();
    rec.tasks.forEach(t -> files.addAll(t.files));
    for (Commit c : state.get().history()) {
      if (c.runId().equals(rec.runId) || c.files().stream().anyMatch(files::contains)) {
        return true;
      }
    }
    return false;
  }

  /** Why the run must be left alone, or null when its driver is gone. */
  private String stillRunning(PendingRecord rec) {
    DriverProcess.Status status = rec.driver == null ? DriverProcess.Status.UNKNOWN : rec.driver.status(rec.runId);
    switch (status) {
      case RUNNING_HERE:
        return "it is running in this JVM";
      case ALIVE:
        return "its driver (" + rec.driver + ") is still running";
      case GONE:
        return null;
      default:
        Duration age = Duration.between(Instant.parse(rec.written), clock.instant());
        if (force || age.compareTo(UNKNOWN_DRIVER_GRACE) >= 0) {
          return null;
        }
        return "its driver (" + rec.driver + ") ran elsewhere and may still be running; its record is "
            + age.toMinutes() + " min old, and is taken for dead at " + UNKNOWN_DRIVER_GRACE.toMinutes()
            + " min, or now by columnseal recover --dataset " + datasetPath + " --force";
    }
  }

  /** What of the run is in the dataset folder. */
  private static final class Found {
    final List<String> files = new ArrayList<>();
    final List<DekRecord> deks = new ArrayList<>();
    final Map<String, Long> cells = new TreeMap<>();
    long rows;
    int tasks;
    long missing;
  }

  private Found find(PendingRecord rec) {
    Found found = new Found();
    try {
      FileSystem fs = new Path(datasetPath).getFileSystem(conf);
      for (PendingRecord.Task t : rec.tasks) {
        List<String> present = new ArrayList<>();
        for (String f : t.files) {
          if (fs.exists(new Path(datasetPath, f))) {
            present.add(f);
          }
        }
        found.missing += t.files.size() - present.size();
        if (present.isEmpty()) {
          // None of the task's files: its DEKs protect no committed cell.
          continue;
        }
        found.tasks++;
        found.files.addAll(present);
        // A task's DEKs seal cells in its own files only: keep them all, so every file decrypts.
        t.deks.forEach(d -> found.deks.add(d.toRecord(rec.runId)));
        t.cells.forEach((c, n) -> found.cells.merge(c, n, Long::sum));
        found.rows += present.size() == t.files.size() ? t.rows : footerRows(rec, present);
      }
    } catch (IOException e) {
      throw new DatasetException("cannot look for the files of run " + rec.runId + " in " + datasetPath + ": " + e);
    }
    return found;
  }

  /** The rows of some of a task's files, from their Parquet footers (the ledger counts the whole task). */
  private long footerRows(PendingRecord rec, List<String> files) {
    long rows = 0;
    for (String f : files) {
      Path p = new Path(datasetPath, f);
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
        rows += reader.getRecordCount();
      } catch (IOException | RuntimeException e) {
        throw new DatasetException("cannot recover run " + rec.runId + ": its file " + f + " is in " + datasetPath
            + " but cannot be read as Parquet (" + e.getClass().getSimpleName() + ")");
      }
    }
    return rows;
  }

  /** For a dead overwrite: the files live in its base version that are live still. */
  private Set<String> retired(PendingRecord rec, Optional<ManifestState> state) {
    Set<String> out = new TreeSet<>();
    if (!"overwrite".equals(rec.mode) || state.isEmpty() || rec.baseVersion < 1) {
      return out;
    }
    try {
      out.addAll(store.readAt(rec.baseVersion).liveFiles());
    } catch (NoSuchManifestVersionException e) {
      throw new DatasetException("cannot recover run " + rec.runId + ": it planned against manifest version "
          + rec.baseVersion + ", which the manifest at " + manifestDir + " does not have");
    }
    out.retainAll(state.get().liveFiles());
    return out;
  }

  private CommitDraft draft(PendingRecord rec, Found found, boolean hasManifest, Set<String> retired) {
    boolean overwrite = "overwrite".equals(rec.mode) && hasManifest;
    CommitDraft.Builder d = CommitDraft.builder(overwrite ? CommitKind.OVERWRITE : CommitKind.ENCRYPT, rec.datasetId,
        rec.runId)
        .operation("mode", "recovered")
        .operation("recoveredMode", rec.mode)
        .operation("recoveredBy", recoveredBy)
        .schema(rec.schemaRecords())
        .addDeks(found.deks)
        .addFiles(found.files)
        .removeFiles(retired)
        .stat("rows", found.rows)
        .stat("deks", found.deks.size())
        .stat("tasks", found.tasks);
    if (rec.input != null) {
      d.operation("input", rec.input);
    }
    if (rec.inputFormat != null) {
      d.operation("inputFormat", rec.inputFormat);
    }
    d.cellEncoding(rec.cellEncoding);
    if (rec.inputs != null) {
      d.inputs(rec.inputs);
    }
    found.cells.forEach((c, n) -> d.stat("cells." + c, n));
    if (found.missing > 0) {
      d.stat("filesNotFound", found.missing);
    }
    return d.build();
  }

  private void delete(Path record) {
    try {
      record.getFileSystem(conf).delete(record, false);
    } catch (IOException e) {
      LOG.warn("could not delete the pending record {} ({}); the next run deletes it", record, e.toString());
    }
  }
}
