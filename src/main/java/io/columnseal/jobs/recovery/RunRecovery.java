package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitConflictException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.InvalidCommitException;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.manifest.PendingMac;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
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
  private final RunFiles files;
  /** manifest.macKey, or null: then only a record whose MAC verifies under it is committed. */
  private final ManifestMacKey macKey;
  private final RecordCheck check;

  /** A check of one record just before it is committed (kms.allowedKeys); throws to refuse it. */
  public interface RecordCheck {
    void check(Optional<ManifestState> state, PendingRecord record);
  }

  /**
   * @param recoveredBy who recovers, for the audit trail ("run 2026...", "recover command")
   * @param force take a run whose driver ran on another host for dead whatever its record's age,
   *     and drop (never commit) a record {@code macKey} does not authenticate
   * @param macKey manifest.macKey as configured, or null
   * @param check the trust check of each record it commits, on the state it commits onto
   */
  public RunRecovery(Configuration conf, String datasetPath, Path manifestDir, ManifestStore store, Clock clock,
      String recoveredBy, boolean force, ManifestMacKey macKey, RecordCheck check) {
    this.conf = conf;
    this.datasetPath = datasetPath;
    this.manifestDir = manifestDir;
    this.store = store;
    this.clock = clock;
    this.recoveredBy = recoveredBy;
    this.force = force;
    this.files = new RunFiles(conf, datasetPath);
    this.macKey = macKey;
    this.check = check;
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
    // One read: the bytes the MAC is checked over are the bytes committed.
    byte[] bytes = PendingRecord.bytesIfPresent(conf, file);
    if (bytes == null) {
      return null;
    }
    PendingRecord rec = PendingRecord.parse(file, bytes);
    Optional<ManifestState> state = store.read();
    checkDataset(state, rec, file);
    String forged = unauthenticated(file, rec, bytes);
    if (forged != null) {
      // A finishing run deletes its record before its MAC: a record gone now was not forged.
      return gone(file) ? null : dropUnauthenticated(rec, file, claim, forged);
    }
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
    check.check(state, rec);
    RunFiles.Found found = files.find(rec);
    if (!found.lost.isEmpty()) {
      return drop(rec, file, claim, found);
    }
    found.moved = files.moveIntoPlace(rec, found.inWorkDir);
    files.bind(rec, found);
    ManifestState after;
    for (int attempt = 1; ; attempt++) {
      long expected = state.map(ManifestState::version).orElse(0L);
      Set<String> retired = RecoveredCommit.retired(store, manifestDir, rec, state);
      try {
        CommitDraft draft = RecoveredCommit.draft(recoveredBy, rec, found, state.isPresent(), retired);
        after = store.commitAndRead(draft, expected);
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
  private RecoveredRun drop(PendingRecord rec, Path file, Path claim, RunFiles.Found found) {
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

  private boolean gone(Path file) {
    try {
      return !file.getFileSystem(conf).exists(file);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Why {@code macKey} does not authenticate the record, or null when it does or no key is set. */
  private String unauthenticated(Path file, PendingRecord rec, byte[] bytes) {
    if (macKey == null) {
      return null;
    }
    try {
      return PendingMac.problem(macKey, file.getFileSystem(conf), PendingMac.sideFile(file), rec.datasetId, rec.runId,
          bytes);
    } catch (java.io.IOException e) {
      throw new DatasetException("cannot read the MAC of the pending record " + file + " of run " + rec.runId + ": " + e);
    }
  }

  /**
   * A record manifest.macKey does not authenticate is never committed: refused, or with
   * {@code force} dropped by removing only the record, its MAC and claim (the files it names are
   * not touched: they may not be its run's; verify lists those no commit names).
   */
  private RecoveredRun dropUnauthenticated(PendingRecord rec, Path file, Path claim, String why) {
    if (!force) {
      throw new DatasetException("run " + rec.runId + ": the pending record " + file + " is not authenticated by "
          + "manifest.macKey " + macKey.keyId() + " (" + why + "); nothing was moved or committed. To drop it without "
          + "committing it (its files are left for verify to list): columnseal recover --dataset " + datasetPath
          + " --force");
    }
    if (claim != null) {
      files.delete(claim);
    }
    files.delete(file);
    files.delete(PendingMac.sideFile(file));
    RecoveredRun r = recovered(rec, RecoveredRun.DROPPED);
    r.note = "its pending record is not authenticated by manifest.macKey " + macKey.keyId() + " (" + why
        + "); the record was removed and nothing committed or deleted (verify lists the files no commit names)";
    return r;
  }

  /** The run's work folder, claim and record (last but its MAC: while the record exists, recovery runs again). */
  private long cleanUp(PendingRecord rec, Path file, Path claim) {
    long n = files.cleanUp(rec, file, claim);
    files.delete(PendingMac.sideFile(file != null ? file : DatasetFiles.pendingFile(manifestDir, rec.runId)));
    return n;
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

  private static RecoveredRun recovered(PendingRecord r, String outcome) {
    RecoveredRun out = new RecoveredRun();
    out.runId = r.runId;
    out.outcome = outcome;
    out.mode = r.mode;
    out.input = r.input;
    out.inputs = r.inputs == null ? List.of() : List.copyOf(r.inputs);
    return out;
  }
}
