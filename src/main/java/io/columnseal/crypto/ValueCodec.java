package io.columnseal.crypto;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The typed plaintext encoding of cell values (docs/FORMAT.md section 4): big-endian fixed
 * widths for numbers, dates and timestamps; UTF-8 for strings; raw bytes for binaries. A null
 * value has no cell at all (the column stays null), so no encoding is needed for it.
 *
 * <p>The {@code put*}/{@code get*} primitives write into and read from a caller's buffer so the
 * Spark hot path allocates nothing per cell; {@link #encode}/{@link #decode} map Java objects
 * for everything else.
 */
public final class ValueCodec {
  private static final long MICROS_PER_SECOND = 1_000_000L;

  private ValueCodec() {}

  // ---- primitives -------------------------------------------------------------------------

  public static void putShort(byte[] b, int off, short v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  public static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  public static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  public static short getShort(byte[] b, int off) {
    return (short) (((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF));
  }

  public static int getInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  public static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  /**
   * Writes a decimal's unscaled value as {@code width}-byte two's complement.
   *
   * @throws ValueEncodingException if it does not fit
   */
  public static void putUnscaled(byte[] b, int off, int width, BigInteger unscaled) {
    byte[] raw = unscaled.toByteArray(); // minimal two's complement, big-endian
    if (raw.length > width) {
      throw new ValueEncodingException("a decimal's unscaled value needs " + raw.length + " bytes; its column allows " + width);
    }
    byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
    int lead = width - raw.length;
    for (int i = 0; i < lead; i++) {
      b[off + i] = pad;
    }
    System.arraycopy(raw, 0, b, off + lead, raw.length);
  }

  public static BigInteger getUnscaled(byte[] b, int off, int width) {
    byte[] raw = new byte[width];
    System.arraycopy(b, off, raw, 0, width);
    return new BigInteger(raw);
  }

  // ---- objects ----------------------------------------------------------------------------

  /**
   * Encodes a non-null value of {@code column}'s type. Accepted Java types: String, Boolean,
   * Byte, Short, Integer, Long, Float, Double, BigDecimal, LocalDate, Instant (timestamp),
   * LocalDateTime (timestamp_ntz), byte[].
   */
  public static byte[] encode(ColumnSpec column, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("column " + column.column() + ": a null has no cell; keep the column null");
    }
    CellType type = column.type();
    try {
      switch (type) {
        case STRING:
          return utf8(column, (String) value);
        case BINARY:
          return ((byte[]) value).clone();
        case BOOLEAN:
          return new byte[] {(byte) (((Boolean) value) ? 1 : 0)};
        case BYTE:
          return new byte[] {(Byte) value};
        case SHORT: {
          byte[] b = new byte[2];
          putShort(b, 0, (Short) value);
          return b;
        }
        case INT: {
          byte[] b = new byte[4];
          putInt(b, 0, (Integer) value);
          return b;
        }
        case LONG: {
          byte[] b = new byte[8];
          putLong(b, 0, (Long) value);
          return b;
        }
        case FLOAT: {
          byte[] b = new byte[4];
          putInt(b, 0, Float.floatToRawIntBits((Float) value));
          return b;
        }
        case DOUBLE: {
          byte[] b = new byte[8];
          putLong(b, 0, Double.doubleToRawLongBits((Double) value));
          return b;
        }
        case DECIMAL:
          return encodeDecimal(column, (BigDecimal) value);
        case DATE: {
          byte[] b = new byte[4];
          putInt(b, 0, Math.toIntExact(((LocalDate) value).toEpochDay()));
          return b;
        }
        case TIMESTAMP: {
          byte[] b = new byte[8];
          Instant t = (Instant) value;
          putLong(b, 0, micros(column, t.getEpochSecond(), t.getNano()));
          return b;
        }
        case TIMESTAMP_NTZ: {
          byte[] b = new byte[8];
          LocalDateTime t = (LocalDateTime) value;
          putLong(b, 0, micros(column, t.toEpochSecond(ZoneOffset.UTC), t.getNano()));
          return b;
        }
        default:
          throw new IllegalStateException("unhandled type " + type);
      }
    } catch (ClassCastException e) {
      throw new ValueEncodingException("column " + column.column() + " is " + type.lowerName()
          + " but was given a " + value.getClass().getSimpleName());
    } catch (ArithmeticException e) {
      throw new ValueEncodingException("column " + column.column() + ": value out of range for " + type.lowerName());
    }
  }

  /**
   * Decodes a plaintext of {@code column}'s type into the Java type {@link #encode} accepts.
   *
   * @throws MalformedCellException if the length does not fit the type
   */
  public static Object decode(ColumnSpec column, byte[] p) {
    PlaintextRules.check(column, p);
    CellType type = column.type();
    int width = column.plaintextWidth();
    switch (type) {
      case STRING:
        return new String(p, StandardCharsets.UTF_8);
      case BINARY:
        return p;
      case BOOLEAN:
        return p[0] == 1;
      case BYTE:
        return p[0];
      case SHORT:
        return getShort(p, 0);
      case INT:
        return getInt(p, 0);
      case LONG:
        return getLong(p, 0);
      case FLOAT:
        return Float.intBitsToFloat(getInt(p, 0));
      case DOUBLE:
        return Double.longBitsToDouble(getLong(p, 0));
      case DECIMAL:
        return new BigDecimal(getUnscaled(p, 0, width), column.scale());
      case DATE:
        return LocalDate.ofEpochDay(getInt(p, 0));
      case TIMESTAMP: {
        long us = getLong(p, 0);
        return Instant.ofEpochSecond(Math.floorDiv(us, MICROS_PER_SECOND), Math.floorMod(us, MICROS_PER_SECOND) * 1000);
      }
      case TIMESTAMP_NTZ: {
        long us = getLong(p, 0);
        return LocalDateTime.ofEpochSecond(Math.floorDiv(us, MICROS_PER_SECOND),
            (int) Math.floorMod(us, MICROS_PER_SECOND) * 1000, ZoneOffset.UTC);
      }
      default:
        throw new IllegalStateException("unhandled type " + type);
    }
  }

  /**
   * Strict UTF-8: a string that is not well-formed UTF-16 (a lone surrogate) is refused
   * rather than silently stored as '?', which {@link String#getBytes} would do.
   */
  private static byte[] utf8(ColumnSpec column, String s) {
    try {
      ByteBuffer buf = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] b = new byte[buf.remaining()];
      buf.get(b);
      return b;
    } catch (CharacterCodingException e) {
      throw new ValueEncodingException("column " + column.column() + ": a string with an unpaired surrogate has no UTF-8 form");
    }
  }

  private static byte[] encodeDecimal(ColumnSpec column, BigDecimal d) {
    BigDecimal scaled;
    try {
      scaled = d.setScale(column.scale());
    } catch (ArithmeticException e) {
      throw new ValueEncodingException("column " + column.column() + ": a decimal with scale " + d.scale()
          + " cannot be stored at scale " + column.scale() + " without rounding");
    }
    if (scaled.precision() > column.precision() && scaled.signum() != 0) {
      throw new ValueEncodingException("column " + column.column() + ": a decimal of precision " + scaled.precision()
          + " does not fit decimal(" + column.precision() + "," + column.scale() + ")");
    }
    int width = column.plaintextWidth();
    byte[] b = new byte[width];
    putUnscaled(b, 0, width, scaled.unscaledValue());
    return b;
  }

  private static long micros(ColumnSpec column, long seconds, int nanos) {
    if (nanos % 1000 != 0) {
      throw new ValueEncodingException("column " + column.column() + ": timestamps are stored to the microsecond; "
          + "this one has nanoseconds");
    }
    return Math.addExact(Math.multiplyExact(seconds, MICROS_PER_SECOND), nanos / 1000);
  }
}
