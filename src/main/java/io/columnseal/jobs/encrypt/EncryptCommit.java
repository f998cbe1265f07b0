package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.jobs.recovery.PendingRun;
import io.columnseal.jobs.recovery.SealedDek;
import io.columnseal.jobs.recovery.TaskLedger;
import io.columnseal.manifest.CommitConflictException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's last step of an encrypt run, after Spark committed the data: check the files,
 * commit the manifest (retrying past racing writers, docs/EXACTLY-ONCE.md), retire what an
 * overwrite replaced, and write the run summary.
 */
final class EncryptCommit {
  private static final Logger LOG = LoggerFactory.getLogger(EncryptCommit.class);
  private static final int COMMIT_ATTEMPTS = 20;

  private final EncryptPlan p;
  private final EncryptSettings s;
  private final PendingRun pending;
  private final List<TaskLedger> tasks;

  private EncryptCommit(EncryptPlan p, PendingRun pending) {
    this.p = p;
    this.s = p.s;
    this.pending = pending;
    this.tasks = pending.tasks();
  }

  static RunSummary commit(EncryptPlan plan, PendingRun pending) {
    return new EncryptCommit(plan, pending).commit();
  }

  private RunSummary commit() {
    requireCommittedFiles();
    if (p.quarantines()) {
      Quarantine.keepCommitted(p.conf, p.quarantineDir, tasks);
    }
    ManifestState after = commitManifest(this::abandon);
    pending.delete();
    if (s.mode == OutputMode.OVERWRITE) {
      deleteRetired(after);
    }
    RunSummary summary = summarize(after);
    if (!p.recovered.isEmpty()) {
      summary.recovered = p.recovered;
    }
    if (p.quarantines()) {
      summary.quarantinedRows = Quarantine.rows(tasks);
      summary.quarantine = p.quarantineDir.toString();
    }
    RunSummaries.write(p.conf, DatasetFiles.runSummaryFile(p.manifestDir, p.runId), summary);
    return summary;
  }

  /**
   * The last check before the manifest commit: every file Spark's commit reported is in the
   * dataset folder. A committer that lost one (two runs sharing Hadoop's _temporary did) must
   * not get a manifest commit naming it; the run fails and takes its other files away.
   */
  private void requireCommittedFiles() {
    List<String> present = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    try {
      FileSystem fs = new Path(s.outputPath).getFileSystem(p.conf);
      for (TaskLedger t : tasks) {
        for (String f : t.files) {
          (fs.exists(new Path(s.outputPath, f)) ? present : missing).add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the files run " + p.runId + " committed in " + s.outputPath, e);
    }
    if (missing.isEmpty()) {
      return;
    }
    List<String> kept = DatasetFiles.deleteFiles(p.conf, s.outputPath, present);
    if (kept.isEmpty()) {
      pending.delete();
    }
    throw new DatasetException("run " + p.runId + ": Spark's commit reported " + (present.size() + missing.size())
        + " data files, but " + missing.size() + " of them are not in " + s.outputPath + " (first: " + missing.get(0)
        + "); the manifest was not committed and "
        + (kept.isEmpty() ? "the run's other files were removed: run it again"
            : kept.size() + " of its files could not be removed: run verify, then recover"));
  }

  /**
   * Takes a run's committed data away when its manifest commit is refused after the data commit
   * (it lost a race): its files, then its pending record and quarantine folder. Says what it did.
   */
  private String abandon() {
    List<String> files = new ArrayList<>();
    tasks.forEach(t -> files.addAll(t.files));
    List<String> kept = DatasetFiles.deleteFiles(p.conf, s.outputPath, files);
    if (!kept.isEmpty()) {
      // The pending record stays: it names the files, so recover can finish or verify can find them.
      return kept.size() + " of its " + files.size() + " data files could not be removed (first: " + kept.get(0)
          + "): run verify, then recover";
    }
    pending.delete();
    if (p.quarantines()) {
      Quarantine.discard(p.conf, p.quarantineDir);
    }
    return "its " + files.size() + " data files were removed";
  }

  /**
   * Commits the run. On a race with another writer (docs/EXACTLY-ONCE.md): output.mode=error
   * loses (the winner created the dataset first) and takes its data away; append re-checks the
   * new state and retries as the next number; overwrite re-plans to retire what is live then.
   */
  private ManifestState commitManifest(Supplier<String> abandon) {
    List<DekRecord> deks = new ArrayList<>();
    List<String> files = new ArrayList<>();
    long rows = 0;
    for (TaskLedger t : tasks) {
      for (SealedDek d : t.deks) {
        deks.add(DekRecord.builder().id(DekId.fromLong(d.dekId)).keyArn(d.keyArn).wrappedKey(d.wrappedKey)
            .encryptionContext(d.context).cells(d.cells).runId(p.runId)
            .created(Instant.ofEpochMilli(d.createdMillis)).build());
      }
      files.addAll(t.files);
      rows += t.rows;
    }
    Map<String, Long> cells = cellsPerColumn();
    List<FileRecord> bound = boundFiles();
    Optional<ManifestState> state = p.before;
    for (int attempt = 1; ; attempt++) {
      boolean replaces = s.mode == OutputMode.OVERWRITE && state.isPresent();
      CommitDraft.Builder draft = CommitDraft.builder(replaces ? CommitKind.OVERWRITE : CommitKind.ENCRYPT,
          s.datasetId, p.runId)
          .operation("mode", s.mode.name().toLowerCase())
          .operation("input", s.inputPath)
          .operation("inputFormat", s.inputFormat)
          .schema(OutputChecks.schemaRecords(p.data, s, p.recordedOptions()))
          .cellEncoding(OutputChecks.encodingName(s))
          .inputs(p.inputFiles.keySet())
          .addDeks(deks)
          .addFiles(files)
          .bindFiles(bound)
          .stat("rows", rows)
          .stat("deks", deks.size())
          .stat("tasks", tasks.size());
      cells.forEach((c, n) -> draft.stat("cells." + c, n));
      if (s.malformed == MalformedRows.QUARANTINE) {
        draft.operation("quarantine", QuarantineFolder.DIR + "/" + p.runId)
            .stat("quarantinedRows", Quarantine.rows(tasks));
      }
      if (replaces) {
        draft.removeFiles(state.get().liveFiles());
      }
      long expected = state.map(ManifestState::version).orElse(0L);
      try {
        return p.store.commitAndRead(draft.build(), expected);
      } catch (CommitConflictException e) {
        state = p.store.read();
        if (s.mode == OutputMode.ERROR) {
          String winner = state.map(m -> m.history().get(0).runId()).orElse("(unknown)");
          throw new DatasetException("run " + p.runId + ": dataset " + s.datasetId + " at " + s.outputPath
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
            p.checks.checkAppend(state.get(), p.data, p.inputFiles);
          } catch (ConfigException refused) {
            throw new DatasetException("run " + p.runId + ": a run that committed first changed what this append "
                + "may add: " + refused.getMessage() + "; this run did not commit and " + abandon.get());
          }
        }
      }
    }
  }

  /**
   * Each committed file bound to its task's DEKs (a task's cells are sealed by its own DEKs
   * only) and to its size now, read on the driver after the data commit (docs/FORMAT.md 5.2).
   */
  private List<FileRecord> boundFiles() {
    List<FileRecord> out = new ArrayList<>();
    try {
      FileSystem fs = new Path(s.outputPath).getFileSystem(p.conf);
      for (TaskLedger t : tasks) {
        List<DekId> deks = new ArrayList<>();
        t.deks.forEach(d -> deks.add(DekId.fromLong(d.dekId)));
        for (String f : t.files) {
          out.add(FileRecord.of(f, fs.getFileStatus(new Path(s.outputPath, f)).getLen(), deks));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sizes of the files run " + p.runId + " committed in "
          + s.outputPath, e);
    }
    return out;
  }

  private Map<String, Long> cellsPerColumn() {
    Map<String, Long> cells = new LinkedHashMap<>();
    for (int k = 0; k < p.ordinals.length; k++) {
      long n = 0;
      for (TaskLedger t : tasks) {
        n += t.cellsPerColumn == null ? 0 : t.cellsPerColumn[k];
      }
      cells.put(p.data.fields()[p.ordinals[k]].name(), n);
    }
    return cells;
  }

  /**
   * Deletes exactly what the run's own commit retired: after a retry that is what was live at
   * that commit (another run's files included), not what was live when the run started.
   */
  private void deleteRetired(ManifestState after) {
    List<String> retired = after.lastCommit().removedFiles();
    DatasetFiles.deleteFiles(p.conf, s.outputPath, retired)
        .forEach(f -> LOG.warn("overwrite committed, but retired file {} could not be deleted", f));
  }

  private RunSummary summarize(ManifestState after) {
    RunSummary r = new RunSummary();
    r.command = "encrypt";
    r.runId = p.runId;
    r.datasetId = s.datasetId;
    r.mode = s.mode.name().toLowerCase();
    r.input = s.inputPath;
    r.output = s.outputPath;
    r.masterKeyArn = p.keyArn;
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
    r.cellsPerColumn = cellsPerColumn();
    r.deks = deks;
    r.kmsCalls.put("DescribeKey", (long) p.keyGroups.size());
    if (!s.plainPolicies()) {
      r.protections = new LinkedHashMap<>();
      for (ColumnPolicy c : s.policies) {
        r.protections.put(c.name, c.protection.configName() + (c.sealed() ? " " + s.keyGroup(c) : ""));
      }
      r.keyGroups = new LinkedHashMap<>(p.keyGroups);
    }
    r.kmsCalls.put("GenerateDataKey", deks);
    r.files = files;
    r.tasks = tasks.size();
    r.manifestVersion = after.version();
    r.startedAt = p.started.toString();
    r.durationMillis = p.clock.millis() - p.started.toEpochMilli();
    return r;
  }
}
