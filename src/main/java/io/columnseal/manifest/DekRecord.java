package io.columnseal.manifest;

import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One data encryption key as the manifest keeps it: its id, the master key ARN as KMS returned
 * it, the wrapped DEK (the raw CiphertextBlob, so ReEncrypt can work on it), the encryption
 * context it was wrapped with, how many cells it sealed, and which run made it when. Holds no
 * plaintext key: the types of its fields cannot carry one.
 */
public final class DekRecord {
  private final DekId id;
  private final String keyArn;
  private final byte[] wrappedKey;
  /** The context without its {@code columnseal:dek} entry (the id gives it): shareable among DEKs. */
  private final Map<String, String> sharedContext;
  private final long cells;
  private final String runId;
  private final Instant created;

  private DekRecord(Builder b) {
    this.id = Checks.present(b.id, "DEK id");
    this.keyArn = Checks.text(b.keyArn, "key ARN of DEK " + id);
    this.wrappedKey = Checks.blob(b.wrappedKey, "wrapped key of DEK " + id);
    Map<String, String> encryptionContext = Checks.sortedMap(
        Checks.present(b.encryptionContext, "encryption context of DEK " + id), "encryption context of DEK " + id);
    // The context is what KMS bound the blob to; a record whose context names another DEK
    // could never be unwrapped.
    String named = encryptionContext.get(EncryptionContext.DEK);
    if (!id.hex().equals(named)) {
      throw new IllegalArgumentException("encryption context of DEK " + id + " must have " + EncryptionContext.DEK
          + "=" + id.hex() + ", has " + named);
    }
    if (b.cells < 0 || b.cells > CellFormat.MAX_CELLS_PER_DEK) {
      throw new IllegalArgumentException("cell count of DEK " + id + " must be 0.." + CellFormat.MAX_CELLS_PER_DEK
          + " (NIST SP 800-38D), got " + b.cells);
    }
    TreeMap<String, String> rest = new TreeMap<>(encryptionContext);
    rest.remove(EncryptionContext.DEK);
    this.sharedContext = Collections.unmodifiableMap(rest);
    this.cells = b.cells;
    this.runId = Checks.text(b.runId, "run id of DEK " + id);
    this.created = Checks.present(b.created, "creation time of DEK " + id);
  }

  private DekRecord(DekId id, String keyArn, byte[] wrappedKey, Map<String, String> sharedContext, long cells,
      String runId, Instant created) {
    this.id = id;
    this.keyArn = keyArn;
    this.wrappedKey = wrappedKey;
    this.sharedContext = sharedContext;
    if (wrappedKey.length == 0 || cells < 0 || cells > CellFormat.MAX_CELLS_PER_DEK) {
      throw new IllegalArgumentException("DEK " + id + " has an empty wrapped key or a cell count out of range");
    }
    this.cells = cells;
    this.runId = runId;
    this.created = created;
  }

  /**
   * For a checkpoint reader, which checked {@code keyArn}, {@code runId} and {@code sharedContext}
   * (sorted, unmodifiable, no {@code columnseal:dek} entry) once for all the DEKs that share
   * them. Takes {@code wrappedKey} without copying it.
   */
  static DekRecord ofChecked(DekId id, String keyArn, byte[] wrappedKey, Map<String, String> sharedContext,
      long cells, String runId, Instant created) {
    return new DekRecord(id, keyArn, wrappedKey, sharedContext, cells, runId, created);
  }

  public static Builder builder() {
    return new Builder();
  }

  public DekId id() {
    return id;
  }

  /** The master key ARN that KMS said wraps this DEK now. */
  public String keyArn() {
    return keyArn;
  }

  /** A copy of the raw CiphertextBlob. */
  public byte[] wrappedKey() {
    return wrappedKey.clone();
  }

  /** The wrapped DEK in the form {@code KeyService.decrypt} and {@code reEncrypt} take. */
  public WrappedKey wrapped() {
    return new WrappedKey(keyArn, wrappedKey);
  }

  /** Sorted and unmodifiable. */
  public Map<String, String> encryptionContext() {
    TreeMap<String, String> full = new TreeMap<>(sharedContext);
    full.put(EncryptionContext.DEK, id.hex());
    return Collections.unmodifiableMap(full);
  }

  public EncryptionContext context() {
    return EncryptionContext.of(encryptionContext());
  }

  /** How many cells this DEK sealed. */
  public long cells() {
    return cells;
  }

  /** The run that created this DEK. */
  public String runId() {
    return runId;
  }

  public Instant created() {
    return created;
  }

  /** The same DEK under another wrapping, as a rewrap leaves it. */
  DekRecord rewrapped(String newKeyArn, byte[] newWrappedKey) {
    return toBuilder().keyArn(newKeyArn).wrappedKey(newWrappedKey).build();
  }

  public Builder toBuilder() {
    return builder().id(id).keyArn(keyArn).wrappedKey(wrappedKey).encryptionContext(encryptionContext())
        .cells(cells).runId(runId).created(created);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DekRecord)) {
      return false;
    }
    DekRecord d = (DekRecord) o;
    return d.id.equals(id) && d.keyArn.equals(keyArn) && Arrays.equals(d.wrappedKey, wrappedKey)
        && d.sharedContext.equals(sharedContext) && d.cells == cells && d.runId.equals(runId)
        && d.created.equals(created);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, keyArn, Arrays.hashCode(wrappedKey), sharedContext, cells, runId, created);
  }

  /** Not secret, but the blob is left out to keep log lines short. */
  @Override
  public String toString() {
    return "DekRecord[" + id + ", " + keyArn + ", " + wrappedKey.length + " bytes wrapped, " + cells + " cells, run "
        + runId + "]";
  }

  /** Checks everything on {@link #build()}. */
  public static final class Builder {
    private DekId id;
    private String keyArn;
    private byte[] wrappedKey;
    private Map<String, String> encryptionContext;
    private long cells;
    private String runId;
    private Instant created;

    private Builder() {}

    public Builder id(DekId id) {
      this.id = id;
      return this;
    }

    public Builder keyArn(String keyArn) {
      this.keyArn = keyArn;
      return this;
    }

    /** The raw CiphertextBlob; copied. */
    public Builder wrappedKey(byte[] wrappedKey) {
      this.wrappedKey = wrappedKey == null ? null : wrappedKey.clone();
      return this;
    }

    /** Sets the key ARN and the blob from what KMS returned. */
    public Builder wrapped(WrappedKey wrapped) {
      return keyArn(wrapped.keyArn()).wrappedKey(wrapped.blob());
    }

    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = encryptionContext;
      return this;
    }

    public Builder encryptionContext(EncryptionContext context) {
      return encryptionContext(context.asMap());
    }

    public Builder cells(long cells) {
      this.cells = cells;
      return this;
    }

    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    public Builder created(Instant created) {
      this.created = created;
      return this;
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong */
    public DekRecord build() {
      return new DekRecord(this);
    }
  }
}
