package io.columnseal.jobs.spark;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.PlaintextRules;
import io.columnseal.crypto.ValueCodec;
import java.math.BigInteger;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Moves values between Spark's internal row format and the cell plaintext encoding
 * (docs/FORMAT.md section 4) without going through external {@code Row} objects. Fixed-width
 * values and strings are written into a caller's scratch buffer, so sealing a cell allocates
 * only the cell itself.
 */
public final class InternalCells {
  private InternalCells() {}

  /** A reusable buffer; grows for long strings. One per partition. */
  public static final class Scratch {
    public byte[] bytes = new byte[256];

    public byte[] ensure(int n) {
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      return bytes;
    }
  }

  /**
   * Writes the plaintext of {@code row[ordinal]} into {@code scratch} and returns its length,
   * or returns -1 with {@code out[0]} set when the value already is a byte array (binary).
   */
  public static int encode(InternalRow row, int ordinal, ColumnSpec spec, Scratch scratch, byte[][] out) {
    CellType type = spec.type();
    byte[] b;
    switch (type) {
      case STRING: {
        UTF8String s = row.getUTF8String(ordinal);
        int n = s.numBytes();
        b = scratch.ensure(n);
        s.writeToMemory(b, Platform.BYTE_ARRAY_OFFSET);
        return n;
      }
      case BINARY:
        out[0] = row.getBinary(ordinal);
        return -1;
      case BOOLEAN:
        scratch.bytes[0] = (byte) (row.getBoolean(ordinal) ? 1 : 0);
        return 1;
      case BYTE:
        scratch.bytes[0] = row.getByte(ordinal);
        return 1;
      case SHORT:
        ValueCodec.putShort(scratch.bytes, 0, row.getShort(ordinal));
        return 2;
      case INT:
      case DATE:
        ValueCodec.putInt(scratch.bytes, 0, row.getInt(ordinal));
        return 4;
      case LONG:
      case TIMESTAMP:
      case TIMESTAMP_NTZ:
        ValueCodec.putLong(scratch.bytes, 0, row.getLong(ordinal));
        return 8;
      case FLOAT:
        ValueCodec.putInt(scratch.bytes, 0, Float.floatToRawIntBits(row.getFloat(ordinal)));
        return 4;
      case DOUBLE:
        ValueCodec.putLong(scratch.bytes, 0, Double.doubleToRawLongBits(row.getDouble(ordinal)));
        return 8;
      case DECIMAL: {
        Decimal d = row.getDecimal(ordinal, spec.precision(), spec.scale());
        int width = spec.plaintextWidth();
        if (width == 4) {
          ValueCodec.putInt(scratch.bytes, 0, (int) d.toUnscaledLong());
        } else if (width == 8) {
          ValueCodec.putLong(scratch.bytes, 0, d.toUnscaledLong());
        } else {
          ValueCodec.putUnscaled(scratch.bytes, 0, 16, d.toJavaBigDecimal().unscaledValue());
        }
        return width;
      }
      default:
        throw new IllegalStateException("unhandled cell type " + type);
    }
  }

  /**
   * The internal (Catalyst) value for a decrypted plaintext of {@code spec}'s type. ValueCodec
   * decodes, and refuses, as docs/FORMAT.md section 4 says; only the types whose internal form
   * differs from ValueCodec's Java value are mapped here, after the same checks (strings:
   * see below).
   */
  public static Object decode(ColumnSpec spec, byte[] p) {
    switch (spec.type()) {
      case STRING:
        // A Spark string is bytes: what encrypt sealed (UTF-8 or not, docs/FORMAT.md section 4)
        // comes back unchanged. Only readers that make a Java String refuse bytes that are not UTF-8.
        return UTF8String.fromBytes(p);
      case DATE:
        PlaintextRules.check(spec, p);
        return ValueCodec.getInt(p, 0);
      case TIMESTAMP:
      case TIMESTAMP_NTZ:
        PlaintextRules.check(spec, p);
        return ValueCodec.getLong(p, 0);
      case DECIMAL: {
        PlaintextRules.check(spec, p);
        int width = spec.plaintextWidth();
        if (width <= 8) {
          long unscaled = width == 4 ? ValueCodec.getInt(p, 0) : ValueCodec.getLong(p, 0);
          return Decimal.createUnsafe(unscaled, spec.precision(), spec.scale());
        }
        BigInteger unscaled = ValueCodec.getUnscaled(p, 0, 16);
        return Decimal.apply(new java.math.BigDecimal(unscaled, spec.scale()), spec.precision(), spec.scale());
      }
      default:
        // boolean, byte, short, int, long, float, double, binary: the Java value is Spark's own.
        return ValueCodec.decode(spec, p);
    }
  }
}
