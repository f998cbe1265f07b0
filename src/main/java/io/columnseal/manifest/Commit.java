package io.columnseal.manifest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One immutable commit of the manifest log, exactly as its file holds it (docs/FORMAT.md
 * section 5). Lists that are sets in meaning (DEKs, files) are kept sorted, so the same content
 * always has the same bytes and the same digest. Built by {@link ManifestStore} from a
 * {@link CommitDraft}, or read back from a file.
 */
public final class Commit {
  /**
   * The newest format version this build writes and reads. Version 2 adds {@code cellEncoding}
   * and {@code inputs}, version 3 adds {@code boundFiles}, version 4 adds {@code mac} (written only
   * with manifest.macKey); a commit without them is still written as the oldest version that holds
   * what it has (docs/FORMAT.md 5.2). Version 6 is version 5's members exactly; it only adds the
   * cell encoding {@code page} (docs/FORMAT.md section 12), so older readers refuse a page-mode
   * commit by its version.
   */
  public static final int FORMAT_VERSION = 6;

  /** The cell encoding of page mode (Parquet modular encryption, docs/FORMAT.md section 12). */
  public static final String PAGE_ENCODING = "page";

  /** The first format version that may record {@link #PAGE_ENCODING}. */
  public static final int PAGE_VERSION = 6;

  static boolean readable(long version) {
    return version >= 1 && version <= FORMAT_VERSION;
  }

  /** Cell encodings a commit can record: docs/FORMAT.md 5.2. */
  public static final List<String> CELL_ENCODINGS = List.of("binary", "base64", PAGE_ENCODING);

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern INPUT_FINGERPRINT = Pattern.compile("[0-9a-f]{32}");

  private final int formatVersion;
  private final long number;
  private final Instant time;
  private final CommitDraft draft;
  private final String parentDigest;
  private final String digest;
  private final CommitMac mac;

  // Checks in the order the fields are written, so a bad file is named by its first bad member.
  private Commit(Builder b, String digest) {
    this.formatVersion = b.formatVersion;
    if (!readable(formatVersion)) {
      throw new IllegalArgumentException("format version must be 1 to " + FORMAT_VERSION + ", got " + formatVersion);
    }
    String datasetId = Checks.text(b.datasetId, "dataset id");
    if (b.number < 1) {
      throw new IllegalArgumentException("commit numbers start at 1, got " + b.number);
    }
    this.number = b.number;
    CommitKind kind = Checks.present(b.kind, "commit kind");
    String runId = Checks.text(b.runId, "run id");
    this.time = Checks.present(b.time, "commit time");
    Map<String, String> operation = Checks.sortedMap(b.operation, "operation parameter");
    List<ColumnRecord> schema = b.schema == null ? null : Checks.list(b.schema, "schema column");
    List<DekRecord> addedDeks = sorted(Checks.list(b.addedDeks, "added DEK"), Comparator.comparing(DekRecord::id));
    List<RewrappedDek> rewrappedDeks =
        sorted(Checks.list(b.rewrappedDeks, "rewrapped DEK"), Comparator.comparing(RewrappedDek::id));
    Checks.list(b.files, "data file").forEach(Checks::relativePath);
    Checks.list(b.removedFiles, "removed file").forEach(Checks::relativePath);
    if (b.cellEncoding != null && !CELL_ENCODINGS.contains(b.cellEncoding)) {
      throw new IllegalArgumentException("cell encoding must be one of " + CELL_ENCODINGS + ", got " + b.cellEncoding);
    }
    if (PAGE_ENCODING.equals(b.cellEncoding) != (formatVersion == PAGE_VERSION) && b.cellEncoding != null) {
      throw new IllegalArgumentException("format version " + formatVersion + (formatVersion == PAGE_VERSION
          ? " records cell encoding page only, got " + b.cellEncoding : " has no cell encoding page; it needs version 6"));
    }
    Checks.list(b.inputs, "input fingerprint").forEach(f -> {
      if (!INPUT_FINGERPRINT.matcher(f).matches()) {
        throw new IllegalArgumentException("an input fingerprint must be 32 lower-case hex digits");
      }
    });
    // Sorted but not deduplicated: a commit holds exactly what its file holds.
    List<String> inputs = sorted(b.inputs, Comparator.naturalOrder());
    if (formatVersion == 1 && (b.cellEncoding != null || !inputs.isEmpty())) {
      throw new IllegalArgumentException("format version 1 has no cellEncoding or inputs; they need version 2");
    }
    List<FileRecord> boundFiles =
        sorted(Checks.list(b.boundFiles, "bound file"), Comparator.comparing(FileRecord::path));
    if (formatVersion < 3 && !boundFiles.isEmpty()) {
      throw new IllegalArgumentException("format version " + formatVersion + " has no boundFiles; they need version 3");
    }
    boolean policies = schema != null && schema.stream().anyMatch(ColumnRecord::hasPolicy);
    if (schema != null && policies && !schema.stream().allMatch(ColumnRecord::hasPolicy)) {
      throw new IllegalArgumentException("a schema records a policy for every column or for none");
    }
    if (formatVersion == PAGE_VERSION && !PAGE_ENCODING.equals(b.cellEncoding)) {
      throw new IllegalArgumentException("format version 6 is for page-mode commits (cellEncoding page) only");
    }
    if (policies != (formatVersion >= CommitCodec.POLICY_VERSION) && schema != null) {
      throw new IllegalArgumentException("format version " + formatVersion + (policies ? " has no column policies;"
          + " they need version 5" : " records every column's policy"));
    }
    Map<String, Long> stats = Checks.sortedMap(b.stats, "stat");
    stats.forEach((k, v) -> Checks.nonNegative(v, "stat " + k));
    this.draft = new CommitDraft(kind, datasetId, runId, operation, schema, addedDeks, rewrappedDeks,
        sorted(b.files, Comparator.naturalOrder()), sorted(b.removedFiles, Comparator.naturalOrder()), b.cellEncoding,
        inputs, boundFiles, stats);
    this.parentDigest = b.parentDigest == null ? null : sha256Hex(b.parentDigest, "parent digest");
    this.digest = digest == null ? null : sha256Hex(digest, "digest");
    if (formatVersion < 4 && b.mac != null) {
      throw new IllegalArgumentException("format version " + formatVersion + " has no mac; it needs version 4");
    }
    // A version-4 commit without its mac exists only between sealing and signing (ManifestStore).
    this.mac = b.mac;
  }

  static Builder builder() {
    return new Builder();
  }

  static Builder fromDraft(CommitDraft draft, long number, Instant time, String parentDigest) {
    return builder().datasetId(draft.datasetId()).number(number).kind(draft.kind()).runId(draft.runId()).time(time)
        .operation(draft.operation()).schema(draft.schema()).addedDeks(draft.addedDeks())
        .rewrappedDeks(draft.rewrappedDeks()).files(draft.files()).removedFiles(draft.removedFiles())
        .cellEncoding(draft.cellEncoding()).inputs(draft.inputs()).boundFiles(draft.boundFiles())
        // The oldest version that holds the draft, so older readers still read what they can.
        .formatVersion(PAGE_ENCODING.equals(draft.cellEncoding()) ? PAGE_VERSION
            : draft.schema() != null && draft.schema().stream().anyMatch(ColumnRecord::hasPolicy)
            ? CommitCodec.POLICY_VERSION : !draft.boundFiles().isEmpty() ? 3
            : draft.cellEncoding() == null && draft.inputs().isEmpty() ? 1 : 2)
        .stats(draft.stats()).parentDigest(parentDigest);
  }

  public int formatVersion() {
    return formatVersion;
  }

  /** 1, 2, ...: the manifest version this commit creates. */
  public long number() {
    return number;
  }

  /** When the commit was written. */
  public Instant time() {
    return time;
  }

  /**
   * What the commit holds besides its number, time and digests, as read: sorted lists (DEKs by id,
   * files and bound files by path), inputs sorted and kept as written.
   */
  public CommitDraft draft() {
    return draft;
  }

  // The draft's accessors, for readers of a commit.
  public String datasetId() { return draft.datasetId(); }
  public CommitKind kind() { return draft.kind(); }
  public String runId() { return draft.runId(); }
  public Map<String, String> operation() { return draft.operation(); }
  /** The schema this commit sets, or null if it leaves the schema as it was. */
  public List<ColumnRecord> schema() { return draft.schema(); }
  public List<DekRecord> addedDeks() { return draft.addedDeks(); }
  public List<RewrappedDek> rewrappedDeks() { return draft.rewrappedDeks(); }
  public List<String> files() { return draft.files(); }
  public List<String> removedFiles() { return draft.removedFiles(); }
  /** {@code binary} or {@code base64}; null if not recorded (version 1). */
  public String cellEncoding() { return draft.cellEncoding(); }
  /** Fingerprints of the input files this commit's data came from (docs/FORMAT.md 5.2). */
  public List<String> inputs() { return draft.inputs(); }
  /** Version 3: each added file with its size and DEKs; empty in older versions (any DEK of the dataset). */
  public List<FileRecord> boundFiles() { return draft.boundFiles(); }
  public Map<String, Long> stats() { return draft.stats(); }

  /** The digest of the previous commit, or null for commit 1. */
  public String parentDigest() {
    return parentDigest;
  }

  /** SHA-256 (lower-case hex) of this commit's canonical JSON without the digest member. */
  public String digest() {
    return digest;
  }

  /** Version 4: the MAC of this commit (docs/FORMAT.md 5.4); null in older versions. */
  public CommitMac mac() {
    return mac;
  }

  /** This commit with {@code mac} added: same members, same digest (the digest does not cover the mac). */
  Commit withMac(CommitMac mac) {
    if (formatVersion < 4) {
      throw new IllegalStateException("commit " + number + " is format version " + formatVersion + ": no mac");
    }
    return toBuilder().digest(digest).mac(mac).build();
  }

  private Builder toBuilder() {
    return fromDraft(draft, number, time, parentDigest).formatVersion(formatVersion);
  }

  /** Equal when their files would hold the same bytes (the codec writes every member). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Commit && Arrays.equals(CommitCodec.encode((Commit) o), CommitCodec.encode(this));
  }

  @Override
  public int hashCode() {
    return Objects.hash(datasetId(), number, digest);
  }

  @Override
  public String toString() {
    return "Commit[" + number + " " + kind() + " of dataset " + datasetId() + " by run " + runId() + " at " + time
        + ", " + addedDeks().size() + " DEKs added, " + rewrappedDeks().size() + " rewrapped, " + files().size()
        + " files added, " + removedFiles().size() + " removed]";
  }

  private static <T> List<T> sorted(List<T> list, Comparator<? super T> order) {
    List<T> copy = new ArrayList<>(list);
    copy.sort(order);
    return List.copyOf(copy);
  }

  private static String sha256Hex(String value, String what) {
    if (!SHA256_HEX.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 64 lower-case hex digits");
    }
    return value;
  }

  /** Package-private: only the store and the codec make commits. */
  static final class Builder {
    private int formatVersion = 3; // the newest unsigned version without policies (4 needs a mac, 5 policies)
    private String datasetId;
    private long number;
    private CommitKind kind;
    private String runId;
    private Instant time;
    private Map<String, String> operation = Map.of();
    private List<ColumnRecord> schema;
    private List<DekRecord> addedDeks = List.of();
    private List<RewrappedDek> rewrappedDeks = List.of();
    private List<String> files = List.of();
    private List<String> removedFiles = List.of();
    private String cellEncoding;
    private List<String> inputs = List.of();
    private List<FileRecord> boundFiles = List.of();
    private Map<String, Long> stats = Map.of();
    private String parentDigest;
    private String digest;
    private CommitMac mac;

    // Plain setters; the Commit constructor checks everything.
    Builder formatVersion(int v) { formatVersion = v; return this; }
    int formatVersion() { return formatVersion; }
    Builder datasetId(String v) { datasetId = v; return this; }
    Builder number(long v) { number = v; return this; }
    Builder kind(CommitKind v) { kind = v; return this; }
    Builder runId(String v) { runId = v; return this; }
    Builder time(Instant v) { time = v; return this; }
    Builder operation(Map<String, String> v) { operation = v; return this; }
    Builder schema(List<ColumnRecord> v) { schema = v; return this; }
    Builder addedDeks(List<DekRecord> v) { addedDeks = v; return this; }
    Builder rewrappedDeks(List<RewrappedDek> v) { rewrappedDeks = v; return this; }
    Builder files(List<String> v) { files = v; return this; }
    Builder removedFiles(List<String> v) { removedFiles = v; return this; }
    Builder cellEncoding(String v) { cellEncoding = v; return this; }
    Builder inputs(List<String> v) { inputs = v; return this; }
    Builder boundFiles(List<FileRecord> v) { boundFiles = v; return this; }
    Builder stats(Map<String, Long> v) { stats = v; return this; }
    Builder parentDigest(String v) { parentDigest = v; return this; }
    Builder digest(String v) { digest = v; return this; }
    Builder mac(CommitMac v) { mac = v; return this; }

    /** With the digest given (as read from a file); the reader checks it separately. */
    Commit build() {
      return new Commit(this, Checks.present(digest, "digest"));
    }

    /** Computes the digest over the canonical form of everything else (for writers). */
    Commit seal() {
      return new Commit(this, CommitCodec.digestOf(new Commit(this, null)));
    }
  }
}
