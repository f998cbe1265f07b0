package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A dataset's manifest as of one version: what a reader rebuilds by replaying commits 1..N.
 * Immutable.
 *
 * <p>{@link #deks()} holds every DEK ever added, each with its current wrapping (after all
 * rewraps up to this version), including DEKs of files an overwrite removed: older versions stay
 * readable and a rewrap moves every key, so none is left under a retired master key.
 */
public final class ManifestState {
  private final String datasetId;
  private final long version;
  private final List<ColumnRecord> schema;
  private final SortedMap<DekId, DekRecord> deks;
  private final SortedSet<String> liveFiles;
  private final Map<String, FileRecord> boundFiles;
  private final List<Commit> history;

  ManifestState(String datasetId, List<ColumnRecord> schema, Map<DekId, DekRecord> deks, SortedSet<String> liveFiles,
      Map<String, FileRecord> boundFiles, List<Commit> history) {
    this.datasetId = datasetId;
    this.schema = List.copyOf(schema);
    this.deks = Collections.unmodifiableSortedMap(new TreeMap<>(deks));
    this.liveFiles = Collections.unmodifiableSortedSet(new TreeSet<>(liveFiles));
    this.boundFiles = Map.copyOf(boundFiles);
    this.history = List.copyOf(history);
    this.version = history.size();
  }

  public String datasetId() {
    return datasetId;
  }

  /** N: the number of the last commit replayed. */
  public long version() {
    return version;
  }

  /** The current schema, in column order. */
  public List<ColumnRecord> schema() {
    return schema;
  }

  /** Names of the encrypted columns, in schema order. */
  public List<String> encryptedColumns() {
    List<String> names = new ArrayList<>();
    schema.stream().filter(ColumnRecord::encrypted).forEach(c -> names.add(c.name()));
    return Collections.unmodifiableList(names);
  }

  /** Every DEK by id, with its current wrapping; sorted by id, unmodifiable. */
  public SortedMap<DekId, DekRecord> deks() {
    return deks;
  }

  public Optional<DekRecord> dek(DekId id) {
    return Optional.ofNullable(deks.get(id));
  }

  /** The master key ARNs that wrap the DEKs now (what {@code verify} compares to the expected key). */
  public SortedSet<String> keyArns() {
    TreeSet<String> arns = new TreeSet<>();
    deks.values().forEach(d -> arns.add(d.keyArn()));
    return Collections.unmodifiableSortedSet(arns);
  }

  /** Data files of this version, relative to the dataset root; sorted, unmodifiable. */
  public SortedSet<String> liveFiles() {
    return liveFiles;
  }

  /**
   * The live file's size and DEKs as the format-3 commit that added it bound them; empty for a
   * file an older commit added (its cells may name any DEK of the dataset, docs/FORMAT.md 5.2).
   */
  public Optional<FileRecord> boundFile(String liveFile) {
    return Optional.ofNullable(boundFiles.get(liveFile));
  }

  /** Commits 1..N in order: the audit trail. */
  public List<Commit> history() {
    return history;
  }

  /**
   * How the live files store cells, as the commits since the last overwrite recorded it
   * ({@code binary} or {@code base64}); empty when they do not say (commits of format version 1:
   * the reader then looks at the files, docs/FORMAT.md 5.2).
   */
  public Optional<String> cellEncoding() {
    return recordedEncoding(history);
  }

  static Optional<String> recordedEncoding(List<Commit> commits) {
    for (int i = commits.size() - 1; i >= 0; i--) {
      Commit c = commits.get(i);
      if (c.cellEncoding() != null) {
        return Optional.of(c.cellEncoding());
      }
      if (c.kind() == CommitKind.OVERWRITE) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * The input fingerprints of the commits that still have a live file, each with the run that
   * committed it. Not "since the last overwrite": a recovered overwrite retires only the files
   * of its base version, so appends committed while it was pending stay live before it.
   */
  public Map<String, String> liveInputs() {
    Map<String, String> byFingerprint = new java.util.HashMap<>();
    for (int i = history.size() - 1; i >= 0; i--) {
      Commit c = history.get(i);
      if (hasLiveFile(c)) {
        c.inputs().forEach(f -> byFingerprint.putIfAbsent(f, c.runId()));
      }
    }
    return byFingerprint;
  }

  private boolean hasLiveFile(Commit c) {
    for (String f : c.files()) {
      if (liveFiles.contains(f)) {
        return true;
      }
    }
    return false;
  }

  public Commit lastCommit() {
    return history.get(history.size() - 1);
  }

  @Override
  public String toString() {
    return "ManifestState[dataset " + datasetId + " version " + version + ", " + schema.size() + " columns, "
        + deks.size() + " DEKs, " + liveFiles.size() + " live files]";
  }
}
