package io.columnseal.crypto;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals cells under one DEK. Built once per DEK (one {@code Cipher.getInstance}, the associated
 * data once per column); per cell it only fills the header, sets the nonce and encrypts
 * straight into the output array.
 *
 * <p>Nonces (docs/FORMAT.md section 2.2): the DEK id followed by a 32-bit counter that starts
 * at 0 and goes up by one per cell, so no nonce repeats under a DEK. After 2^32 cells the
 * encryptor refuses to seal more ({@link DataKeyExhaustedException}); callers check
 * {@link #remaining()} and take a new DEK first.
 *
 * <p>Not thread-safe: one per partition, as Spark runs a partition on one thread.
 */
public final class CellEncryptor implements AutoCloseable {
  private final SealingKey key;
  private final SecretKey jceKey;
  private final Cipher cipher;
  private final Map<ColumnSpec, Column> columns = new HashMap<>();
  private long next;

  private CellEncryptor(SealingKey key, SecretKey jceKey, Cipher cipher) {
    this.key = key;
    this.jceKey = jceKey;
    this.cipher = cipher;
  }

  /**
   * The one encryptor of {@code key}; a second call on the same key throws
   * {@link IllegalStateException}, because its counter would start again at 0 and repeat
   * nonces. Only a {@link SealingKey} (from GenerateDataKey) is accepted: an unwrapped DEK is an
   * {@link OpeningKey} and does not compile here. The encryptor does not own {@code key}:
   * whoever made the key destroys it.
   */
  public static CellEncryptor open(SealingKey key) {
    return open(key, 0);
  }

  /**
   * The encryptor whose first cell takes counter {@code firstCounter}. Production code goes
   * through {@link #open(SealingKey)} (counter 0); only the tests' counter seam in this package
   * (src/test) starts higher, to reach the 2^32 limit without sealing four billion cells.
   */
  static CellEncryptor open(SealingKey key, long firstCounter) {
    if (firstCounter < 0 || firstCounter > CellFormat.MAX_CELLS_PER_DEK) {
      throw new IllegalArgumentException("first counter must be 0.." + CellFormat.MAX_CELLS_PER_DEK);
    }
    SecretKey jceKey = key.jceKey();
    Cipher cipher;
    try {
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no AES/GCM/NoPadding", e);
    }
    key.claimForSealing();
    CellEncryptor encryptor = new CellEncryptor(key, jceKey, cipher);
    encryptor.next = firstCounter;
    return encryptor;
  }

  public DekId dekId() {
    return key.id();
  }

  /** The sealer for one column; cached, so calling this per row is cheap but needless. */
  public Column column(ColumnSpec spec) {
    return columns.computeIfAbsent(spec, s -> new Column(s, CellFormat.associatedData(s, key.id())));
  }

  /**
   * Counters spent so far under this DEK: the cells sealed, plus any seal that failed inside
   * AES-GCM (its counter is never given out again). An upper bound for a manifest's count.
   */
  public long cellsSealed() {
    return next;
  }

  /** Cells this DEK may still seal. */
  public long remaining() {
    return CellFormat.MAX_CELLS_PER_DEK - next;
  }

  @Override
  public void close() {
    columns.clear();
  }

  private byte[] seal(Column column, byte[] plaintext, int off, int len) {
    Objects.checkFromIndexSize(off, len, plaintext.length);
    if (len > Integer.MAX_VALUE - CellFormat.OVERHEAD_BYTES) {
      throw new IllegalArgumentException("a value of column " + column.spec.column() + " is too long for one cell");
    }
    key.checkLive();
    if (next >= CellFormat.MAX_CELLS_PER_DEK) {
      throw new DataKeyExhaustedException("DEK " + key.id() + " has sealed " + CellFormat.MAX_CELLS_PER_DEK
          + " cells, the most one key may seal; take a new DEK");
    }
    byte[] cell = new byte[CellFormat.OVERHEAD_BYTES + len];
    cell[CellFormat.VERSION_OFFSET] = CellFormat.VERSION_1;
    key.id().writeTo(cell, CellFormat.DEK_ID_OFFSET);
    CellFormat.writeU32(cell, CellFormat.COUNTER_OFFSET, next);
    // The counter is spent before encrypting: a failure below must never let the next cell
    // reuse this nonce (and the JCE would refuse the repeat, wedging the encryptor).
    next++;
    try {
      // The JCE API takes a new parameter object per IV; it copies the 12 nonce bytes from the cell.
      cipher.init(Cipher.ENCRYPT_MODE, jceKey,
          new GCMParameterSpec(CellFormat.TAG_BITS, cell, CellFormat.NONCE_OFFSET, CellFormat.NONCE_BYTES));
      cipher.updateAAD(column.aad);
      cipher.doFinal(plaintext, off, len, cell, CellFormat.HEADER_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed sealing a cell of column " + column.spec.column()
          + " under DEK " + key.id() + ": " + e.getClass().getSimpleName());
    }
    return cell;
  }

  /** Seals values of one column; shares the DEK's counter with the other columns. */
  public final class Column {
    private final ColumnSpec spec;
    private final byte[] aad;

    private Column(ColumnSpec spec, byte[] aad) {
      this.spec = spec;
      this.aad = aad;
    }

    public ColumnSpec spec() {
      return spec;
    }

    /** Seals {@code len} plaintext bytes from {@code plaintext[off]} into a new cell. */
    public byte[] seal(byte[] plaintext, int off, int len) {
      return CellEncryptor.this.seal(this, plaintext, off, len);
    }

    public byte[] seal(byte[] plaintext) {
      return seal(plaintext, 0, plaintext.length);
    }
  }
}
