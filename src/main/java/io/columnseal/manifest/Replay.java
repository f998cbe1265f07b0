package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Replays commits 1..N into a state, checking each against the state before it. The same rules
 * guard the writer (a draft that breaks one is never written) and the reader (a log that breaks
 * one is corrupt). docs/FORMAT.md section 5 lists them.
 */
final class Replay {
  private String datasetId;
  private List<ColumnRecord> schema = List.of();
  private final TreeMap<DekId, DekRecord> deks = new TreeMap<>();
  private final Map<DekId, Long> addedIn = new HashMap<>();
  private final TreeSet<String> liveFiles = new TreeSet<>();
  /** Live files a format-3 commit bound; a live file not here was added by an older commit. */
  private final HashMap<String, FileRecord> bound = new HashMap<>();
  /** Commits 1..version when replayed from commit 1; null when started from a checkpoint. */
  private final List<Commit> history;
  private long version;
  private String lastDigest;
  private Commit last;
  /** The cell encoding the commits since the last overwrite recorded; null if none did. */
  private String encoding;
  private final List<InputCommit> inputCommits = new ArrayList<>();
  /** Reads commits 1..n of the log, for a state whose replay started from a checkpoint. */
  private CommitSource historyReader;

  Replay() {
    this.history = new ArrayList<>();
  }

  /** The state a checkpoint holds, to replay later commits on; {@code deks} are taken, not copied. */
  Replay(Checkpoint cp, CommitSource historyReader) {
    this.history = null;
    this.historyReader = historyReader;
    this.datasetId = cp.datasetId;
    this.schema = cp.schema;
    this.version = cp.version;
    this.lastDigest = cp.digest;
    this.encoding = cp.cellEncoding;
    this.deks.putAll(cp.deks);
    this.addedIn.putAll(cp.addedIn);
    this.liveFiles.addAll(cp.liveFiles);
    cp.boundFiles.forEach(f -> bound.put(f.path(), f));
    this.inputCommits.addAll(cp.inputCommits);
  }

  long version() {
    return version;
  }

  /** The digest the next commit must name as its parent; null before commit 1. */
  String lastDigest() {
    return lastDigest;
  }

  /** The state's fields, for a checkpoint of it. */
  Checkpoint toCheckpoint() {
    return new Checkpoint(datasetId, version, lastDigest, schema, encoding, deks, addedIn, liveFiles,
        List.copyOf(bound.values()), inputCommits);
  }

  /** @throws InvalidCommitException naming the rule {@code c} breaks */
  void check(Commit c) {
    String at = "commit " + c.number() + " of dataset " + c.datasetId() + ": ";
    if (c.number() != version() + 1) {
      throw new InvalidCommitException(at + "follows version " + version() + ", so its number must be " + (version() + 1));
    }
    if (datasetId != null && !datasetId.equals(c.datasetId())) {
      throw new InvalidCommitException(at + "this manifest belongs to dataset " + datasetId);
    }
    if (!Objects.equals(lastDigest(), c.parentDigest())) {
      throw new InvalidCommitException(at + "parentDigest must be the digest of commit " + version()
          + (version() == 0 ? " (null for commit 1)" : ""));
    }
    if (version() == 0) {
      if (c.kind() == CommitKind.REWRAP) {
        throw new InvalidCommitException(at + "the first commit must create the dataset (ENCRYPT or OVERWRITE), not REWRAP");
      }
      if (c.schema() == null) {
        throw new InvalidCommitException(at + "the first commit must state the schema");
      }
    }
    if (c.schema() != null) {
      checkSchema(at, c.schema());
    }
    checkKind(at, c);
    checkAddedDeks(at, c);
    checkRewraps(at, c);
    checkFiles(at, c);
    checkBoundFiles(at, c);
  }

  /** Checks {@code c}, then moves the state to it. */
  void apply(Commit c) {
    check(c);
    if (datasetId == null) {
      datasetId = c.datasetId();
    }
    if (c.schema() != null) {
      schema = c.schema();
    }
    for (DekRecord d : c.addedDeks()) {
      deks.put(d.id(), d);
      addedIn.put(d.id(), c.number());
    }
    for (RewrappedDek r : c.rewrappedDeks()) {
      deks.put(r.id(), deks.get(r.id()).rewrapped(r.toKeyArn(), r.wrappedKey()));
    }
    liveFiles.removeAll(c.removedFiles());
    c.removedFiles().forEach(bound::remove);
    liveFiles.addAll(c.files());
    c.boundFiles().forEach(f -> bound.put(f.path(), f));
    // Newest first, a recorded encoding counts until an overwrite that records none.
    if (c.cellEncoding() != null) {
      encoding = c.cellEncoding();
    } else if (c.kind() == CommitKind.OVERWRITE) {
      encoding = null;
    }
    if (!c.inputs().isEmpty()) {
      inputCommits.add(InputCommit.of(c));
    }
    if (history != null) {
      history.add(c);
    }
    version = c.number();
    lastDigest = c.digest();
    last = c;
  }

  ManifestState snapshot() {
    if (version == 0) {
      throw new IllegalStateException("no commit replayed");
    }
    Supplier<List<Commit>> commits;
    Supplier<Commit> lastCommit;
    long upTo = version;
    String digest = lastDigest;
    if (history != null) {
      List<Commit> copy = List.copyOf(history);
      commits = () -> copy;
    } else {
      CommitSource reader = historyReader;
      commits = () -> reader.upTo(upTo, digest);
    }
    if (last != null) {
      Commit c = last;
      lastCommit = () -> c;
    } else {
      CommitSource reader = historyReader;
      lastCommit = () -> reader.at(upTo, digest);
    }
    return new ManifestState(datasetId, schema, deks, liveFiles, bound, version, lastDigest, encoding, inputCommits,
        commits, lastCommit);
  }

  private static void checkSchema(String at, List<ColumnRecord> columns) {
    if (columns.isEmpty()) {
      throw new InvalidCommitException(at + "the schema has no column");
    }
    // Spark resolves column names case-insensitively by default: "Card" and "card" would clash.
    Set<String> seen = new HashSet<>();
    for (ColumnRecord col : columns) {
      if (!seen.add(col.name().toLowerCase(Locale.ROOT))) {
        throw new InvalidCommitException(at + "column " + col.name() + " appears twice in the schema");
      }
    }
  }

  private void checkKind(String at, Commit c) {
    switch (c.kind()) {
      case ENCRYPT:
        if (!c.removedFiles().isEmpty() || !c.rewrappedDeks().isEmpty()) {
          throw new InvalidCommitException(at + "an ENCRYPT commit only adds files and DEKs; use OVERWRITE to remove files");
        }
        // One dataset, one cell encoding: readers take the column type from the dataset.
        String recorded = encoding;
        if (c.cellEncoding() != null && recorded != null && !recorded.equals(c.cellEncoding())) {
          throw new InvalidCommitException(at + "an append must keep the cell encoding " + recorded + ", not "
              + c.cellEncoding());
        }
        if (version() > 0 && c.schema() != null && !c.schema().equals(schema)) {
          throw new InvalidCommitException(at + "an append must keep the schema; " + schemaDifference(schema, c.schema()));
        }
        break;
      case OVERWRITE:
        if (!c.rewrappedDeks().isEmpty()) {
          throw new InvalidCommitException(at + "an OVERWRITE commit cannot rewrap DEKs");
        }
        break;
      case REWRAP:
        if (c.schema() != null || !c.addedDeks().isEmpty() || !c.files().isEmpty() || !c.removedFiles().isEmpty()
            || c.cellEncoding() != null || !c.inputs().isEmpty()) {
          throw new InvalidCommitException(at + "a REWRAP commit only rewraps DEKs: no schema, added DEK, file, cell "
              + "encoding or input");
        }
        if (c.rewrappedDeks().isEmpty()) {
          throw new InvalidCommitException(at + "a REWRAP commit must rewrap at least one DEK");
        }
        break;
      default:
        throw new InvalidCommitException(at + "unknown kind " + c.kind());
    }
  }

  private void checkAddedDeks(String at, Commit c) {
    Set<DekId> inCommit = new HashSet<>();
    for (DekRecord d : c.addedDeks()) {
      if (!inCommit.add(d.id())) {
        throw new InvalidCommitException(at + "DEK " + d.id() + " is added twice");
      }
      if (deks.containsKey(d.id())) {
        throw new InvalidCommitException(at + "DEK " + d.id() + " is already in the manifest (added by commit "
            + addedIn.get(d.id()) + ")");
      }
      // KMS bound the blob to this context; a DEK wrapped for another dataset would not unwrap here.
      String named = d.encryptionContext().get(EncryptionContext.DATASET);
      if (!c.datasetId().equals(named)) {
        throw new InvalidCommitException(at + "DEK " + d.id() + " has " + EncryptionContext.DATASET + "=" + named
            + " in its encryption context, not " + c.datasetId());
      }
    }
  }

  private void checkRewraps(String at, Commit c) {
    Set<DekId> inCommit = new HashSet<>();
    for (RewrappedDek r : c.rewrappedDeks()) {
      if (!inCommit.add(r.id())) {
        throw new InvalidCommitException(at + "DEK " + r.id() + " is rewrapped twice");
      }
      DekRecord current = deks.get(r.id());
      if (current == null) {
        throw new InvalidCommitException(at + "cannot rewrap DEK " + r.id() + ": it is not in the manifest");
      }
      if (!current.keyArn().equals(r.fromKeyArn())) {
        throw new InvalidCommitException(at + "DEK " + r.id() + " is wrapped by " + current.keyArn()
            + ", not by " + r.fromKeyArn() + " as the rewrap says (planned against an older version?)");
      }
    }
  }

  private void checkFiles(String at, Commit c) {
    Set<String> removed = new HashSet<>();
    for (String f : c.removedFiles()) {
      if (!removed.add(f)) {
        throw new InvalidCommitException(at + "file " + f + " is removed twice");
      }
      if (!liveFiles.contains(f)) {
        throw new InvalidCommitException(at + "cannot remove file " + f + ": it is not live");
      }
    }
    Set<String> added = new HashSet<>();
    for (String f : c.files()) {
      if (!added.add(f)) {
        throw new InvalidCommitException(at + "file " + f + " is added twice");
      }
      if (liveFiles.contains(f) || removed.contains(f)) {
        throw new InvalidCommitException(at + "file " + f + " is already live");
      }
    }
  }

  /**
   * Rule 8: a commit that binds files binds exactly the files it adds, each to DEKs it adds
   * itself (a run's cells are sealed by its own DEKs only).
   */
  private static void checkBoundFiles(String at, Commit c) {
    if (c.boundFiles().isEmpty()) {
      return;
    }
    Set<DekId> added = new HashSet<>();
    c.addedDeks().forEach(d -> added.add(d.id()));
    Set<String> paths = new TreeSet<>();
    for (FileRecord f : c.boundFiles()) {
      if (!paths.add(f.path())) {
        throw new InvalidCommitException(at + "file " + f.path() + " is bound twice");
      }
      for (DekId d : f.deks()) {
        if (!added.contains(d)) {
          throw new InvalidCommitException(at + "file " + f.path() + " is bound to DEK " + d
              + ", which this commit does not add");
        }
      }
    }
    if (!paths.equals(new TreeSet<>(c.files()))) {
      throw new InvalidCommitException(at + "boundFiles must name exactly the files the commit adds");
    }
  }

  private static String schemaDifference(List<ColumnRecord> current, List<ColumnRecord> proposed) {
    for (int i = 0; i < Math.max(current.size(), proposed.size()); i++) {
      ColumnRecord was = i < current.size() ? current.get(i) : null;
      ColumnRecord now = i < proposed.size() ? proposed.get(i) : null;
      if (!Objects.equals(was, now)) {
        return "column " + (i + 1) + " is [" + was + "] in the manifest but [" + now + "] in this commit";
      }
    }
    return "the schemas differ";
  }
}
