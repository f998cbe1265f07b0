package io.columnseal.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The sealer's clear-column copy keeps every Spark type's internal value exactly, at a shifted ordinal. */
class ClearValuesTest {
  private static final DataType[] TYPES = {
    DataTypes.IntegerType, DataTypes.DateType, DataTypes.LongType, DataTypes.TimestampType,
    DataTypes.TimestampNTZType, DataTypes.DoubleType, DataTypes.FloatType, DataTypes.BooleanType,
    DataTypes.ShortType, DataTypes.ByteType, DataTypes.StringType, DataTypes.createDecimalType(12, 2),
    DataTypes.BinaryType,
  };

  @Test
  void copiesEveryTypeIntoTypedSlots() {
    Object[] values = {
      Integer.MIN_VALUE, 20_444, Long.MAX_VALUE, -1L, 1_764_806_400_000_000L,
      Double.longBitsToDouble(0x8000000000000000L), Float.intBitsToFloat(0x7fc00001), true,
      (short) -2, (byte) 0x80, UTF8String.fromString("Zoë"), Decimal.apply(new BigDecimal("-1234567890.12")),
      new byte[] {0, 1, (byte) 0xff},
    };
    GenericInternalRow from = new GenericInternalRow(values);
    // The sealer's output drops or moves columns: write column i at i + 1, after a sealed one.
    StructType out = new StructType().add("sealed", DataTypes.BinaryType);
    for (int i = 0; i < TYPES.length; i++) {
      out = out.add("c" + i, TYPES[i]);
    }
    SpecificInternalRow to = new SpecificInternalRow(out);
    ClearValues clear = new ClearValues(TYPES);
    for (int i = 0; i < TYPES.length; i++) {
      clear.copy(from, i, to, i + 1);
    }

    assertTrue(to.isNullAt(0));
    assertEquals(Integer.MIN_VALUE, to.getInt(1));
    assertEquals(20_444, to.getInt(2));
    assertEquals(Long.MAX_VALUE, to.getLong(3));
    assertEquals(-1L, to.getLong(4));
    assertEquals(1_764_806_400_000_000L, to.getLong(5));
    assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(to.getDouble(6)), "-0.0 keeps its sign bit");
    assertEquals(0x7fc00001, Float.floatToRawIntBits(to.getFloat(7)), "a NaN keeps its payload");
    assertTrue(to.getBoolean(8));
    assertEquals((short) -2, to.getShort(9));
    assertEquals((byte) 0x80, to.getByte(10));
    assertEquals(UTF8String.fromString("Zoë"), to.getUTF8String(11));
    assertEquals(Decimal.apply(new BigDecimal("-1234567890.12")), to.getDecimal(12, 12, 2));
    assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, to.getBinary(13));
  }

  @Test
  void aTypedSlotSetAfterANullIsNoLongerNull() {
    SpecificInternalRow to = new SpecificInternalRow(new StructType().add("d", DataTypes.DateType));
    to.setNullAt(0);
    new ClearValues(new DataType[] {DataTypes.DateType}).copy(new GenericInternalRow(new Object[] {7}), 0, to, 0);
    assertEquals(7, to.getInt(0));
    assertTrue(!to.isNullAt(0));
  }
}
