package io.columnseal.crypto;

import java.nio.charset.StandardCharsets;

/**
 * The byte layout of a v1 cell and of its associated data (docs/FORMAT.md sections 2 and 3).
 *
 * <pre>
 * cell = version(1) | dek_id(8) | counter(4, big-endian) | ciphertext(n) | tag(16)
 * nonce = dek_id | counter                       (the 12 bytes at offset 1)
 * aad  = version(1) | u16 len | dataset_id | u16 len | column | type_tag(1) | precision(1) | scale(1) | dek_id(8)
 * </pre>
 *
 * The nonce is not stored twice: it is the DEK id followed by the cell's counter under that
 * DEK, which {@link CellEncryptor} never repeats. Fields that neighbouring cells share (the
 * version, the DEK id, the counter's high bytes) come first, so Parquet's prefix encodings
 * can fold them away on disk.
 */
public final class CellFormat {
  public static final byte VERSION_1 = 1;
  public static final int VERSION_OFFSET = 0;
  public static final int DEK_ID_OFFSET = 1;
  public static final int COUNTER_OFFSET = DEK_ID_OFFSET + DekId.LENGTH; // 9
  public static final int NONCE_OFFSET = DEK_ID_OFFSET;
  public static final int NONCE_BYTES = 12;
  public static final int HEADER_BYTES = COUNTER_OFFSET + 4; // 13
  public static final int TAG_BYTES = 16;
  public static final int TAG_BITS = TAG_BYTES * 8;
  /** Bytes a cell adds to its plaintext: 13 of header and 16 of tag. */
  public static final int OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES; // 29
  /** NIST SP 800-38D section 8.3: at most 2^32 invocations of GCM under one key. */
  public static final long MAX_CELLS_PER_DEK = 1L << 32;
  /** Longest dataset id or column name, in UTF-8 bytes, that the u16 length can carry. */
  public static final int MAX_NAME_BYTES = 0xFFFF;

  private CellFormat() {}

  /** The id of the DEK that sealed {@code cell}, read without decrypting. */
  public static DekId dekIdOf(byte[] cell) {
    checkShape(cell, null);
    return DekId.fromBytes(cell, DEK_ID_OFFSET);
  }

  /** The counter of {@code cell} under its DEK, read without decrypting. */
  public static long counterOf(byte[] cell) {
    checkShape(cell, null);
    return readU32(cell, COUNTER_OFFSET);
  }

  /** Length of the plaintext inside {@code cell}. */
  public static int plaintextLength(byte[] cell) {
    checkShape(cell, null);
    return cell.length - OVERHEAD_BYTES;
  }

  /** True when {@code bytes} has the shape of a v1 cell (length and version); not a proof. */
  public static boolean looksLikeCell(byte[] bytes) {
    return bytes != null && bytes.length >= OVERHEAD_BYTES && bytes[VERSION_OFFSET] == VERSION_1;
  }

  /**
   * @throws MalformedCellException if the cell is too short
   * @throws UnsupportedCellVersionException if the version byte is not one this build reads
   */
  static void checkShape(byte[] cell, ColumnSpec column) {
    if (cell == null || cell.length < OVERHEAD_BYTES) {
      throw new MalformedCellException("cell" + where(column) + " is " + (cell == null ? 0 : cell.length)
          + " bytes; a v1 cell has at least " + OVERHEAD_BYTES + " (truncated or not a columnseal cell)");
    }
    if (cell[VERSION_OFFSET] != VERSION_1) {
      throw new UnsupportedCellVersionException("cell" + where(column) + " has format version "
          + (cell[VERSION_OFFSET] & 0xFF) + "; this build reads version " + VERSION_1);
    }
  }

  /** Built only for a refused cell: checkShape runs once per cell read. */
  private static String where(ColumnSpec column) {
    return column == null ? "" : " in column " + column.column() + " of dataset " + column.datasetId();
  }

  /** Associated data for one (column, DEK) pair; computed once per partition and column. */
  public static byte[] associatedData(ColumnSpec column, DekId dekId) {
    byte[] dataset = utf8(column.datasetId(), "dataset id");
    byte[] name = utf8(column.column(), "column name");
    byte[] aad = new byte[1 + 2 + dataset.length + 2 + name.length + 3 + DekId.LENGTH];
    int p = 0;
    aad[p++] = VERSION_1;
    p = putU16(aad, p, dataset.length);
    System.arraycopy(dataset, 0, aad, p, dataset.length);
    p += dataset.length;
    p = putU16(aad, p, name.length);
    System.arraycopy(name, 0, aad, p, name.length);
    p += name.length;
    aad[p++] = (byte) column.type().tag();
    aad[p++] = (byte) column.precision();
    aad[p++] = (byte) column.scale();
    dekId.writeTo(aad, p);
    return aad;
  }

  static long readU32(byte[] b, int off) {
    return ((b[off] & 0xFFL) << 24) | ((b[off + 1] & 0xFFL) << 16) | ((b[off + 2] & 0xFFL) << 8) | (b[off + 3] & 0xFFL);
  }

  static void writeU32(byte[] b, int off, long v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  private static int putU16(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 8);
    b[p + 1] = (byte) v;
    return p + 2;
  }

  private static byte[] utf8(String s, String what) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_NAME_BYTES + " UTF-8 bytes");
    }
    return b;
  }
}
