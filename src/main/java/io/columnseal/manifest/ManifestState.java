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
import java.util.function.Supplier;

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
  private final String lastDigest;
  private final String cellEncoding;
  private final List<InputCommit> inputCommits;
  /** Read on first use when the state came from a checkpoint: opening needs no commit before it. */
  private final Supplier<List<Commit>> historySource;
  private volatile List<Commit> history;
  private final Supplier<Commit> lastSource;
  private volatile Commit last;

  ManifestState(String datasetId, List<ColumnRecord> schema, SortedMap<DekId, DekRecord> deks,
      SortedSet<String> liveFiles, Map<String, FileRecord> boundFiles, long version, String lastDigest,
      String cellEncoding, List<InputCommit> inputCommits, Supplier<List<Commit>> history, Supplier<Commit> last) {
    this.datasetId = datasetId;
    this.schema = List.copyOf(schema);
    this.deks = Collections.unmodifiableSortedMap(new TreeMap<>(deks));
    this.liveFiles = Collections.unmodifiableSortedSet(new TreeSet<>(liveFiles));
    this.boundFiles = Map.copyOf(boundFiles);
    this.version = version;
    this.lastDigest = lastDigest;
    this.cellEncoding = cellEncoding;
    this.inputCommits = List.copyOf(inputCommits);
    this.historySource = history;
    this.lastSource = last;
  }

  /** The digest of commit N. */
  public String lastDigest() {
    return lastDigest;
  }

  List<InputCommit> inputCommits() {
    return inputCommits;
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

  /**
   * Commits 1..N in order: the audit trail. A state opened from a checkpoint reads (and checks)
   * the commit files on the first call.
   */
  public List<Commit> history() {
    List<Commit> h = history;
    if (h == null) {
      h = List.copyOf(historySource.get());
      history = h;
    }
    return h;
  }

  /**
   * How the live files store cells, as the commits since the last overwrite recorded it
   * ({@code binary} or {@code base64}); empty when they do not say (commits of format version 1:
   * the reader then looks at the files, docs/FORMAT.md 5.2).
   */
  public Optional<String> cellEncoding() {
    return Optional.ofNullable(cellEncoding);
  }

  /**
   * The input fingerprints of the commits that still have a live file, each with the run that
   * committed it. Not "since the last overwrite": a recovered overwrite retires only the files
   * of its base version, so appends committed while it was pending stay live before it.
   */
  public Map<String, String> liveInputs() {
    Map<String, String> byFingerprint = new java.util.HashMap<>();
    for (int i = inputCommits.size() - 1; i >= 0; i--) {
      InputCommit c = inputCommits.get(i);
      if (hasLiveFile(c)) {
        c.inputs.forEach(f -> byFingerprint.putIfAbsent(f, c.runId));
      }
    }
    return byFingerprint;
  }

  private boolean hasLiveFile(InputCommit c) {
    for (String f : c.files) {
      if (liveFiles.contains(f)) {
        return true;
      }
    }
    return false;
  }

  public Commit lastCommit() {
    Commit c = last;
    if (c == null) {
      c = lastSource.get();
      last = c;
    }
    return c;
  }

  @Override
  public String toString() {
    return "ManifestState[dataset " + datasetId + " version " + version + ", " + schema.size() + " columns, "
        + deks.size() + " DEKs, " + liveFiles.size() + " live files]";
  }
}
