package io.columnseal.crypto;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
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
  private final DataKey key;
  private final SecretKey jceKey;
  private final Cipher cipher;
  private final Map<ColumnSpec, Column> columns = new HashMap<>();
  private long next;

  private CellEncryptor(DataKey key, SecretKey jceKey, Cipher cipher) {
    this.key = key;
    this.jceKey = jceKey;
    this.cipher = cipher;
  }

  /** The encryptor does not own {@code key}: whoever made the key destroys it. */
  public static CellEncryptor open(DataKey key) {
    try {
      return new CellEncryptor(key, key.jceKey(), Cipher.getInstance("AES/GCM/NoPadding"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no AES/GCM/NoPadding", e);
    }
  }

  public DekId dekId() {
    return key.id();
  }

  /** The sealer for one column; cached, so calling this per row is cheap but needless. */
  public Column column(ColumnSpec spec) {
    return columns.computeIfAbsent(spec, s -> new Column(s, CellFormat.associatedData(s, key.id())));
  }

  /** Cells sealed so far under this DEK. */
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
    if (next >= CellFormat.MAX_CELLS_PER_DEK) {
      throw new DataKeyExhaustedException("DEK " + key.id() + " has sealed " + CellFormat.MAX_CELLS_PER_DEK
          + " cells, the most one key may seal; take a new DEK");
    }
    byte[] cell = new byte[CellFormat.OVERHEAD_BYTES + len];
    cell[CellFormat.VERSION_OFFSET] = CellFormat.VERSION_1;
    key.id().writeTo(cell, CellFormat.DEK_ID_OFFSET);
    CellFormat.writeU32(cell, CellFormat.COUNTER_OFFSET, next);
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
    next++;
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
