package io.columnseal.crypto;

import java.util.Locale;

/**
 * The value types a cell can hold, with their plaintext encodings (docs/FORMAT.md section 4).
 * Fixed-width types have one plaintext length whatever the value, so a ciphertext's length
 * says nothing about a number's magnitude; strings and binaries show their length.
 *
 * <p>The tag is part of the associated data, so a cell decrypted as another type fails.
 */
public enum CellType {
  STRING(1, -1),
  BOOLEAN(2, 1),
  BYTE(3, 1),
  SHORT(4, 2),
  INT(5, 4),
  LONG(6, 8),
  FLOAT(7, 4),
  DOUBLE(8, 8),
  /** Width depends on precision: see {@link #decimalWidth(int)}. */
  DECIMAL(9, -1),
  /** Days since 1970-01-01, proleptic Gregorian (Spark's DateType). */
  DATE(10, 4),
  /** Microseconds since 1970-01-01T00:00:00Z (Spark's TimestampType). */
  TIMESTAMP(11, 8),
  /** Microseconds since 1970-01-01T00:00:00 with no zone (Spark's TimestampNTZType). */
  TIMESTAMP_NTZ(12, 8),
  BINARY(13, -1);

  public static final int MAX_DECIMAL_PRECISION = 38;

  private final int tag;
  private final int width;

  CellType(int tag, int width) {
    this.tag = tag;
    this.width = width;
  }

  /** The byte that names this type in the associated data. */
  public int tag() {
    return tag;
  }

  /** Plaintext width in bytes, or -1 where it varies (strings, binaries, decimals). */
  public int fixedWidth() {
    return width;
  }

  /** Two's-complement width of a decimal's unscaled value: 4, 8 or 16 bytes. */
  public static int decimalWidth(int precision) {
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
      throw new IllegalArgumentException("decimal precision must be 1.." + MAX_DECIMAL_PRECISION + ", got " + precision);
    }
    return precision <= 9 ? 4 : precision <= 18 ? 8 : 16;
  }

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CellType fromTag(int tag) {
    for (CellType t : values()) {
      if (t.tag == tag) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown cell type tag " + tag);
  }
}
