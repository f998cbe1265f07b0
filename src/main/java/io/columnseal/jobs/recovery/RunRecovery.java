package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles encrypt runs whose driver died (docs/RELIABILITY.md), all or nothing: a run's rows
 * end up either all committed or none. On the driver, with no KMS call:
 * <ul>
 *   <li>the manifest already holds the run: its records were left behind; delete them;
 *   <li>the run's driver may still be running: leave it alone;
 *   <li>a pending record, and every file it lists is in the dataset folder or in a committed
 *       task's folder under the run's work folder: move the latter into place (the job commit
 *       the run did not finish), then write the commit the run did not, under the dead run's
 *       id with operation mode {@code recovered};
 *   <li>otherwise (a file is lost, or only the write claim exists: the run died before its
 *       data commit): delete every file of the run and report it dropped, to be re-run.
 * </ul>
 * Either way the run's work folder ({@code _temporary/<attempt>}), write claim and pending
 * record are deleted, the record last, so a recovery that is itself stopped is run again.
 * A dead overwrite is finished as an overwrite: it retires the files that were live in the
 * version it planned against, so its rows replace those and not the rows of later appends.
 */
public final class RunRecovery {
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
  public RunRecovery(Configuration conf, String datasetPath, Path manifestDir, ManifestStore store, Clock clock,
      String recoveredBy, boolean force) {
    this.conf = conf;
    this.datasetPath = datasetPath;
    this.manifestDir = manifestDir;
    this.store = store;
    this.clock = clock;
    this.recoveredBy = recoveredBy;
    this.force = force;
  }

  /** Handles every pending record and write claim, oldest run first. */
  public List<RecoveredRun> recoverAll() {
    SortedMap<String, Path> records = DatasetFiles.pendingRecords(conf, manifestDir);
    SortedMap<String, Path> claims = DatasetFiles.writeClaims(conf, manifestDir);
    Set<String> runs = new TreeSet<>(records.keySet());
    runs.addAll(claims.keySet());
    List<RecoveredRun> out = new ArrayList<>();
    for (String run : runs) {
      RecoveredRun r = records.containsKey(run) ? recover(records.get(run), claims.get(run)) : recoverClaim(claims.get(run));
      if (r == null) {
        continue;
      }
      if (RecoveredRun.LEFT_ALONE.equals(r.outcome)) {
        LOG.warn("{}", r.describe());
      } else {
        LOG.warn("dataset {}: {}", datasetPath, r.describe());
      }
      out.add(r);
    }
    return out;
  }

  /**
   * A run with a write claim and no pending record: it died (or is still running) before its
   * data commit, so none of its files reached the dataset folder. Null when it is running on
   * this host, or finished since the listing: nothing to report.
   */
  private RecoveredRun recoverClaim(Path claim) {
    PendingRecord rec = PendingRecord.readIfPresent(conf, claim);
    if (rec == null) {
      return null;
    }
    Optional<ManifestState> state = store.read();
    checkDataset(state, rec, claim);
    if (holds(state, rec)) {
      cleanUp(rec, null, claim);
      return recovered(rec, RecoveredRun.ALREADY_COMMITTED);
    }
    DriverProcess.Status status = status(rec);
    if (status == DriverProcess.Status.RUNNING_HERE || status == DriverProcess.Status.ALIVE) {
      return null;
    }
    String busy = stillRunning(rec, status);
    if (busy != null) {
      RecoveredRun r = recovered(rec, RecoveredRun.LEFT_ALONE);
      r.note = busy;
      return r;
    }
    RecoveredRun r = recovered(rec, RecoveredRun.DROPPED);
    r.filesRemoved = cleanUp(rec, null, claim);
    r.note = "it stopped before its data commit";
    return r;
  }

  private RecoveredRun recover(Path file, Path claim) {
    PendingRecord rec = PendingRecord.readIfPresent(conf, file);
    if (rec == null) {
      return null;
    }
    Optional<ManifestState> state = store.read();
    checkDataset(state, rec, file);
    if (holds(state, rec)) {
      cleanUp(rec, file, claim);
      return recovered(rec, RecoveredRun.ALREADY_COMMITTED);
    }
    String busy = stillRunning(rec, status(rec));
    if (busy != null) {
      RecoveredRun r = recovered(rec, RecoveredRun.LEFT_ALONE);
      r.note = busy;
      return r;
    }
    Found found = find(rec);
    if (!found.lost.isEmpty()) {
      return drop(rec, file, claim, found);
    }
    found.moved = moveIntoPlace(rec, found.inWorkDir);
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
          cleanUp(rec, file, claim);
          return recovered(rec, RecoveredRun.ALREADY_COMMITTED);
        }
      } catch (InvalidCommitException e) {
        throw new DatasetException("cannot recover run " + rec.runId + " from " + file + ": " + e.getMessage()
            + "; the record is kept. If that run's data is not wanted, delete the record and the files verify"
            + " reports as unrecorded");
      }
    }
    cleanUp(rec, file, claim);
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
    RecoveredRun r = recovered(rec, RecoveredRun.RECOVERED);
    r.manifestVersion = after.version();
    r.rows = found.rows;
    r.files = found.files.size();
    r.filesMoved = found.moved;
    r.deks = found.deks.size();
    return r;
  }

  /** Some file of the run is nowhere: none of its rows may count, so all of its files go. */
  private RecoveredRun drop(PendingRecord rec, Path file, Path claim, Found found) {
    List<String> kept = DatasetFiles.deleteFiles(conf, datasetPath, found.inPlace);
    if (!kept.isEmpty()) {
      throw new DatasetException("cannot drop run " + rec.runId + ": " + kept.size() + " of its files in " + datasetPath
          + " could not be deleted (first: " + kept.get(0) + "); its record is kept, run recover again");
    }
    RecoveredRun r = recovered(rec, RecoveredRun.DROPPED);
    r.filesRemoved = found.inPlace.size() + cleanUp(rec, file, claim);
    r.note = found.lost.size() + " of its " + found.files.size() + " files were in neither the dataset folder nor its"
        + " work folder (first: " + found.lost.get(0) + ")";
    return r;
  }

  private void checkDataset(Optional<ManifestState> state, PendingRecord rec, Path file) {
    if (state.isPresent() && !state.get().datasetId().equals(rec.datasetId)) {
      throw new DatasetException("the pending record " + file + " is of dataset " + rec.datasetId + ", but the manifest at "
          + manifestDir + " is of dataset " + state.get().datasetId() + "; it was not written here: remove it by hand");
    }
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

  private static DriverProcess.Status status(PendingRecord rec) {
    return rec.driver == null ? DriverProcess.Status.UNKNOWN : rec.driver.status(rec.runId);
  }

  /** Why the run must be left alone, or null when its driver is gone. */
  private String stillRunning(PendingRecord rec, DriverProcess.Status status) {
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

  /** Where each file of the run is. */
  private static final class Found {
    final List<String> files = new ArrayList<>();
    final List<String> inPlace = new ArrayList<>();
    /** Files still in a committed task's folder under the work folder: final name to where it is. */
    final Map<String, Path> inWorkDir = new TreeMap<>();
    final List<String> lost = new ArrayList<>();
    final List<DekRecord> deks = new ArrayList<>();
    final Map<String, Long> cells = new TreeMap<>();
    long rows;
    int tasks;
    int moved;
  }

  private Found find(PendingRecord rec) {
    Found found = new Found();
    try {
      FileSystem fs = new Path(datasetPath).getFileSystem(conf);
      List<Path> taskDirs = committedTaskDirs(fs, rec);
      for (PendingRecord.Task t : rec.tasks) {
        for (String f : t.files) {
          found.files.add(f);
          if (fs.exists(new Path(datasetPath, f))) {
            found.inPlace.add(f);
            continue;
          }
          Path waiting = null;
          for (Path dir : taskDirs) {
            if (fs.exists(new Path(dir, f))) {
              waiting = new Path(dir, f);
              break;
            }
          }
          if (waiting != null) {
            found.inWorkDir.put(f, waiting);
          } else {
            found.lost.add(f);
          }
        }
        found.tasks++;
        // A task's DEKs seal cells in its own files only.
        t.deks.forEach(d -> found.deks.add(d.toRecord(rec.runId)));
        t.cells.forEach((c, n) -> found.cells.merge(c, n, Long::sum));
        found.rows += t.rows;
      }
    } catch (IOException e) {
      throw new DatasetException("cannot look for the files of run " + rec.runId + " in " + datasetPath + ": " + e);
    }
    return found;
  }

  /**
   * The committed tasks' folders in the run's work folder: FileOutputCommitter (algorithm 1)
   * renames a task attempt's folder to {@code <work>/task_...} when the task commits, and its
   * job commit moves their contents into the dataset.
   */
  private List<Path> committedTaskDirs(FileSystem fs, PendingRecord rec) throws IOException {
    List<Path> out = new ArrayList<>();
    if (rec.workDir == null) {
      return out;
    }
    Path work = new Path(datasetPath, rec.workDir);
    if (!fs.exists(work)) {
      return out;
    }
    for (FileStatus st : fs.listStatus(work)) {
      if (st.isDirectory() && st.getPath().getName().startsWith("task_")) {
        out.add(st.getPath());
      }
    }
    return out;
  }

  /** Finishes the job commit the run did not: each waiting file to its place in the dataset. */
  private int moveIntoPlace(PendingRecord rec, Map<String, Path> waiting) {
    int moved = 0;
    for (Map.Entry<String, Path> e : waiting.entrySet()) {
      Path target = new Path(datasetPath, e.getKey());
      try {
        FileSystem fs = target.getFileSystem(conf);
        fs.mkdirs(target.getParent());
        if (!fs.rename(e.getValue(), target)) {
          throw new IOException("rename returned false");
        }
        moved++;
      } catch (IOException ex) {
        throw new DatasetException("cannot recover run " + rec.runId + ": moving its file " + e.getKey() + " from "
            + rec.workDir + " into " + datasetPath + " failed (" + ex.getMessage() + "); nothing was committed and "
            + "its record is kept: run recover again");
      }
    }
    return moved;
  }

  /**
   * Deletes the run's work folder, then its write claim, then its pending record (last: while
   * it exists, recovery runs again). Returns the files that were in the work folder.
   */
  private long cleanUp(PendingRecord rec, Path record, Path claim) {
    long files = 0;
    if (rec.workDir != null) {
      Path work = new Path(datasetPath, rec.workDir);
      try {
        FileSystem fs = work.getFileSystem(conf);
        files = DatasetFiles.countFiles(fs, work);
        fs.delete(work, true);
      } catch (IOException e) {
        throw new DatasetException("cannot delete the work folder " + rec.workDir + " of run " + rec.runId + " in "
            + datasetPath + " (" + e.getMessage() + "); its record is kept: run recover again");
      }
      try {
        Path root = work.getParent();
        root.getFileSystem(conf).delete(root, false);
      } catch (IOException e) {
        // Not empty: another run is writing into its own folder there, and deletes it when it is the last.
      }
    }
    if (claim != null) {
      delete(claim);
    }
    if (record != null) {
      delete(record);
    }
    return files;
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
    return d.build();
  }

  private void delete(Path record) {
    try {
      record.getFileSystem(conf).delete(record, false);
    } catch (IOException e) {
      LOG.warn("could not delete the pending record {} ({}); the next run deletes it", record, e.toString());
    }
  }

  private static RecoveredRun recovered(PendingRecord r, String outcome) {
    RecoveredRun out = new RecoveredRun();
    out.runId = r.runId;
    out.outcome = outcome;
    out.mode = r.mode;
    out.input = r.input;
    return out;
  }
}
