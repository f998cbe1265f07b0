package io.columnseal.jobs.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Copies clear (not sealed) values between internal rows by their typed getters and setters.
 * {@code InternalRow.get(i, type)} boxes an int, date, long or timestamp per value; into a
 * {@code SpecificInternalRow} the typed setters store it unboxed. Other types (strings,
 * decimals, binary, nested) are copied as the object Spark already holds.
 */
public final class ClearValues {
  private static final byte OTHER = 0;
  private static final byte INT = 1;
  private static final byte LONG = 2;
  private static final byte DOUBLE = 3;
  private static final byte FLOAT = 4;
  private static final byte BOOLEAN = 5;
  private static final byte SHORT = 6;
  private static final byte BYTE = 7;

  private final DataType[] types;
  private final byte[] kind;

  /** For rows whose column {@code i} has type {@code types[i]}. */
  public ClearValues(DataType[] types) {
    this.types = types.clone();
    this.kind = new byte[types.length];
    for (int i = 0; i < types.length; i++) {
      kind[i] = kindOf(types[i]);
    }
  }

  /** Copies the non-null value of column {@code i} of {@code from} into column {@code o} of {@code to}. */
  public void copy(InternalRow from, int i, InternalRow to, int o) {
    switch (kind[i]) {
      case INT -> to.setInt(o, from.getInt(i));
      case LONG -> to.setLong(o, from.getLong(i));
      case DOUBLE -> to.setDouble(o, from.getDouble(i));
      case FLOAT -> to.setFloat(o, from.getFloat(i));
      case BOOLEAN -> to.setBoolean(o, from.getBoolean(i));
      case SHORT -> to.setShort(o, from.getShort(i));
      case BYTE -> to.setByte(o, from.getByte(i));
      default -> to.update(o, from.get(i, types[i]));
    }
  }

  private static byte kindOf(DataType type) {
    if (type instanceof IntegerType || type instanceof DateType) {
      return INT;
    }
    if (type instanceof LongType || type instanceof TimestampType || type instanceof TimestampNTZType) {
      return LONG;
    }
    if (type instanceof DoubleType) {
      return DOUBLE;
    }
    if (type instanceof FloatType) {
      return FLOAT;
    }
    if (type instanceof BooleanType) {
      return BOOLEAN;
    }
    if (type instanceof ShortType) {
      return SHORT;
    }
    if (type instanceof ByteType) {
      return BYTE;
    }
    return OTHER;
  }
}
