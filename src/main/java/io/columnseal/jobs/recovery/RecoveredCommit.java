package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.manifest.NoSuchManifestVersionException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;

/**
 * The manifest commit {@link RunRecovery} writes for a dead run whose files are all found: the
 * commit the run did not write, under its own id, with operation mode {@code recovered}.
 */
final class RecoveredCommit {
  private RecoveredCommit() {}

  /** For a dead overwrite: the files live in its base version that are live still. */
  static Set<String> retired(ManifestStore store, Path manifestDir, PendingRecord rec,
      Optional<ManifestState> state) {
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

  static CommitDraft draft(String recoveredBy, PendingRecord rec, RunFiles.Found found, boolean hasManifest,
      Set<String> retired) {
    boolean overwrite = "overwrite".equals(rec.mode) && hasManifest;
    CommitDraft.Builder d = CommitDraft.builder(overwrite ? CommitKind.OVERWRITE : CommitKind.ENCRYPT, rec.datasetId,
        rec.runId)
        .operation("mode", "recovered")
        .operation("recoveredMode", rec.mode)
        .operation("recoveredBy", recoveredBy)
        .schema(rec.schemaRecords())
        .addDeks(found.deks)
        .addFiles(found.files)
        .bindFiles(found.bound)
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
}
