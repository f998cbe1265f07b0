package io.columnseal.crypto;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Opens cells sealed under one DEK. Checks, in order: the cell's shape and version, its length
 * against a fixed-width column type, that it names this DEK, then the GCM tag over the
 * ciphertext and the associated data of the column it is read as. Not thread-safe.
 */
public final class CellDecryptor implements AutoCloseable {
  private final OpeningKey key;
  private final SecretKey jceKey;
  private final Cipher cipher;
  private final Map<ColumnSpec, byte[]> aads = new HashMap<>();
  /**
   * The AADs of the columns met so far, found by identity: a reader passes one ColumnSpec object
   * per column and alternates columns cell by cell, so a last-column shortcut misses on every
   * cell and a hash lookup (ColumnSpec.hashCode) is paid per cell. Past {@code BY_IDENTITY}
   * columns, the map.
   */
  private static final int BY_IDENTITY = 32;
  private final ColumnSpec[] columns = new ColumnSpec[BY_IDENTITY];
  private final byte[][] columnAads = new byte[BY_IDENTITY][];
  private int known;

  private CellDecryptor(OpeningKey key, SecretKey jceKey, Cipher cipher) {
    this.key = key;
    this.jceKey = jceKey;
    this.cipher = cipher;
  }

  /**
   * Takes an {@link OpeningKey} (a DEK from Decrypt). The decryptor does not own {@code key}:
   * whoever made the key destroys it.
   */
  public static CellDecryptor open(OpeningKey key) {
    try {
      return new CellDecryptor(key, key.jceKey(), Cipher.getInstance("AES/GCM/NoPadding"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no AES/GCM/NoPadding", e);
    }
  }

  public DekId dekId() {
    return key.id();
  }

  /**
   * Returns the plaintext of {@code cell} read as a value of {@code column}.
   *
   * @throws MalformedCellException if the cell is truncated, or its length does not fit a
   *     fixed-width column type
   * @throws UnsupportedCellVersionException if its version is unknown
   * @throws WrongDataKeyException if it names another DEK
   * @throws CellAuthenticationException if any byte, the column, dataset, type or key differs
   */
  public byte[] open(ColumnSpec column, byte[] cell) {
    key.checkLive();
    CellFormat.checkShape(cell, column);
    int width = column.plaintextWidth();
    if (width >= 0 && cell.length != CellFormat.OVERHEAD_BYTES + width) {
      // A fixed-width type fixes the cell length too: a cut-off cell is named as such.
      throw new MalformedCellException("cell in column " + column.column() + " of dataset " + column.datasetId()
          + " is " + cell.length + " bytes; a " + column.type().lowerName() + " cell is "
          + (CellFormat.OVERHEAD_BYTES + width) + " (truncated, or not a cell of this column)");
    }
    if (ValueCodec.getLong(cell, CellFormat.DEK_ID_OFFSET) != key.id().asLong()) {
      throw new WrongDataKeyException("cell in column " + column.column() + " of dataset " + column.datasetId()
          + " names DEK " + DekId.fromBytes(cell, CellFormat.DEK_ID_OFFSET) + ", not DEK " + key.id());
    }
    byte[] aad = aadOf(column);
    try {
      cipher.init(Cipher.DECRYPT_MODE, jceKey,
          new GCMParameterSpec(CellFormat.TAG_BITS, cell, CellFormat.NONCE_OFFSET, CellFormat.NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(cell, CellFormat.HEADER_BYTES, cell.length - CellFormat.HEADER_BYTES);
    } catch (AEADBadTagException e) {
      throw new CellAuthenticationException("cell in column " + column.column() + " of dataset " + column.datasetId()
          + " under DEK " + key.id() + " failed authentication (changed bytes, or sealed for another column, type, dataset or key)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed opening a cell of column " + column.column()
          + " under DEK " + key.id() + ": " + e.getClass().getSimpleName());
    }
  }

  private byte[] aadOf(ColumnSpec column) {
    for (int i = 0; i < known; i++) {
      if (columns[i] == column) {
        return columnAads[i];
      }
    }
    byte[] aad = aads.computeIfAbsent(column, c -> CellFormat.associatedData(c, key.id()));
    if (known < BY_IDENTITY) {
      columns[known] = column;
      columnAads[known++] = aad;
    }
    return aad;
  }

  @Override
  public void close() {
    aads.clear();
    java.util.Arrays.fill(columns, null);
    java.util.Arrays.fill(columnAads, null);
    known = 0;
  }
}
