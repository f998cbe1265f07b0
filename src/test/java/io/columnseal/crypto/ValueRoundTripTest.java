package io.columnseal.crypto;

import static io.columnseal.crypto.Secrets.assertSafe;
import static io.columnseal.crypto.Secrets.testKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Values of every type survive ValueCodec + CellEncryptor + CellDecryptor exactly (FORMAT.md section 4). */
class ValueRoundTripTest {
  private static final String DATASET = "ledger";

  private SealingKey key;
  private OpeningKey opening;
  private CellEncryptor encryptor;
  private CellDecryptor decryptor;

  @BeforeEach
  void open() {
    key = SealingKey.of(DekId.parse("00000000000000aa"), testKey(0x70));
    opening = OpeningKey.of(DekId.parse("00000000000000aa"), testKey(0x70));
    encryptor = CellEncryptor.open(key);
    decryptor = CellDecryptor.open(opening);
  }

  @AfterEach
  void close() {
    encryptor.close();
    decryptor.close();
    key.destroy();
    opening.destroy();
  }

  private Object roundTrip(ColumnSpec column, Object value) {
    byte[] plaintext = ValueCodec.encode(column, value);
    if (column.plaintextWidth() >= 0) {
      assertEquals(column.plaintextWidth(), plaintext.length, column + " plaintext width");
    }
    byte[] cell = encryptor.column(column).seal(plaintext);
    assertEquals(CellFormat.OVERHEAD_BYTES + plaintext.length, cell.length);
    byte[] opened = decryptor.open(column, cell);
    assertArrayEquals(plaintext, opened);
    return ValueCodec.decode(column, opened);
  }

  private void assertRoundTrip(ColumnSpec column, Object value) {
    assertEquals(value, roundTrip(column, value), column.toString());
  }

  private static ColumnSpec col(CellType type) {
    return ColumnSpec.of(DATASET, type.lowerName() + "_col", type);
  }

  private static ColumnSpec decimal(int precision, int scale) {
    return ColumnSpec.decimal(DATASET, "amount", precision, scale);
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void nullHasNoCell(CellType type) {
    ColumnSpec column = type == CellType.DECIMAL ? decimal(10, 2) : col(type);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode(column, null));
    assertSafe(e, null, null, column.column());
  }

  @Test
  void strings() {
    ColumnSpec s = col(CellType.STRING);
    for (String v : new String[] {"", "a", "4111111111111111", "O'Brien; DROP TABLE", "nul\0inside\0", "\0",
        "emoji \uD83D\uDE00\uD83C\uDDEB\uD83C\uDDF7 family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
        "combining e\u0301 vs \u00e9, a\u0308\u0323", "CJK \u5C71\u7530\u592A\u90CE \uD55C\uAD6D\uC5B4",
        "rtl \u05E9\u05DC\u05D5\u05DD", "x".repeat(70_000)}) {
      assertRoundTrip(s, v);
    }
    // Composed and decomposed forms stay distinct: no normalisation.
    assertEquals(2, ValueCodec.encode(s, "\u00e9").length);
    assertEquals(3, ValueCodec.encode(s, "e\u0301").length);
    assertArrayEquals(new byte[] {'a', 0, 'b'}, ValueCodec.encode(s, "a\0b"));
  }

  @Test
  void stringsThatAreNotUnicodeAreRefused() {
    ColumnSpec s = col(CellType.STRING);
    for (String lone : new String[] {"\uD800", "abc\uDC00", "\uDE00\uD83D"}) {
      ValueEncodingException e = assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(s, lone));
      assertSafe(e, null, null, s.column());
    }
    for (byte[] notUtf8 : new byte[][] {{(byte) 0xff}, {'a', (byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}}) {
      assertThrows(MalformedCellException.class, () -> ValueCodec.decode(s, notUtf8));
    }
  }

  @Test
  void booleans() {
    assertRoundTrip(col(CellType.BOOLEAN), true);
    assertRoundTrip(col(CellType.BOOLEAN), false);
    assertArrayEquals(new byte[] {1}, ValueCodec.encode(col(CellType.BOOLEAN), true));
    assertThrows(MalformedCellException.class, () -> ValueCodec.decode(col(CellType.BOOLEAN), new byte[] {2}));
  }

  @Test
  void integralLimits() {
    for (byte v : new byte[] {Byte.MIN_VALUE, -1, 0, 1, Byte.MAX_VALUE}) {
      assertRoundTrip(col(CellType.BYTE), v);
    }
    for (short v : new short[] {Short.MIN_VALUE, -1, 0, 1, Short.MAX_VALUE}) {
      assertRoundTrip(col(CellType.SHORT), v);
    }
    for (int v : new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE}) {
      assertRoundTrip(col(CellType.INT), v);
    }
    for (long v : new long[] {Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE}) {
      assertRoundTrip(col(CellType.LONG), v);
    }
    assertArrayEquals(new byte[] {(byte) 0x80, 0, 0, 0}, ValueCodec.encode(col(CellType.INT), Integer.MIN_VALUE));
    assertArrayEquals(new byte[] {0x7f, -1, -1, -1, -1, -1, -1, -1}, ValueCodec.encode(col(CellType.LONG), Long.MAX_VALUE));
  }

  @Test
  void floatsKeepTheirBits() {
    ColumnSpec f = col(CellType.FLOAT);
    for (int bits : new int[] {0x7fc00000, 0x7fc00001, 0xffc01234, 0x80000000, 0x00000000, 0x7f800000, 0xff800000,
        0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0x3f800000}) {
      Float decoded = (Float) roundTrip(f, Float.intBitsToFloat(bits));
      assertEquals(bits, Float.floatToRawIntBits(decoded), Integer.toHexString(bits));
    }
    assertArrayEquals(new byte[] {(byte) 0x80, 0, 0, 0}, ValueCodec.encode(f, -0.0f));
  }

  @Test
  void doublesKeepTheirBits() {
    ColumnSpec d = col(CellType.DOUBLE);
    for (long bits : new long[] {0x7ff8000000000000L, 0x7ff8000000000001L, 0xfff80000deadbeefL, 0x8000000000000000L,
        0L, 0x7ff0000000000000L, 0xfff0000000000000L, 1L, 0x000fffffffffffffL, 0x0010000000000000L,
        Double.doubleToRawLongBits(Double.MAX_VALUE), Double.doubleToRawLongBits(Math.PI)}) {
      Double decoded = (Double) roundTrip(d, Double.longBitsToDouble(bits));
      assertEquals(bits, Double.doubleToRawLongBits(decoded), Long.toHexString(bits));
    }
  }

  @Test
  void decimalBoundaries() {
    BigDecimal max38 = new BigDecimal("9".repeat(38));
    assertRoundTrip(decimal(38, 0), max38);
    assertRoundTrip(decimal(38, 0), max38.negate());
    assertRoundTrip(decimal(38, 0), BigDecimal.ZERO);
    BigDecimal max3810 = new BigDecimal("9".repeat(28) + "." + "9".repeat(10));
    assertRoundTrip(decimal(38, 10), max3810);
    assertRoundTrip(decimal(38, 10), max3810.negate());
    assertRoundTrip(decimal(38, 10), new BigDecimal("0.0000000001"));
    assertRoundTrip(decimal(9, 2), new BigDecimal("9999999.99"));
    assertRoundTrip(decimal(9, 2), new BigDecimal("-9999999.99"));
    assertRoundTrip(decimal(9, 2), new BigDecimal("0.01"));
    assertRoundTrip(decimal(18, 4), new BigDecimal("99999999999999.9999"));
    assertRoundTrip(decimal(18, 4), new BigDecimal("-99999999999999.9999"));
    assertRoundTrip(decimal(38, 38), new BigDecimal("0." + "9".repeat(38)));
    assertEquals(4, decimal(9, 2).plaintextWidth());
    assertEquals(8, decimal(10, 2).plaintextWidth());
    assertEquals(8, decimal(18, 4).plaintextWidth());
    assertEquals(16, decimal(19, 0).plaintextWidth());
    assertEquals(16, decimal(38, 10).plaintextWidth());
  }

  @Test
  void decimalsTakeTheColumnScale() {
    // Fewer fraction digits than the column, or an exponent form, are exact and widen.
    assertEquals(new BigDecimal("12.50"), roundTrip(decimal(9, 2), new BigDecimal("12.5")));
    assertEquals(new BigDecimal("1000.00"), roundTrip(decimal(9, 2), new BigDecimal("1E+3")));
    assertEquals(new BigDecimal("7.00"), roundTrip(decimal(9, 2), new BigDecimal("7.000")));
  }

  @Test
  void decimalThatDoesNotFitIsRefused() {
    String[][] cases = {
        {"9", "2", "10000000.00"}, {"9", "2", "-10000000"}, {"18", "4", "100000000000000.0000"},
        {"38", "0", "1" + "0".repeat(38)}, {"38", "10", "1" + "0".repeat(28)}, {"38", "38", "1"}};
    for (String[] c : cases) {
      ColumnSpec column = decimal(Integer.parseInt(c[0]), Integer.parseInt(c[1]));
      ValueEncodingException e = assertThrows(ValueEncodingException.class,
          () -> ValueCodec.encode(column, new BigDecimal(c[2])), column + " " + c[2]);
      assertSafe(e, null, c[2].getBytes(StandardCharsets.UTF_8), "amount");
    }
  }

  @Test
  void decimalNeedingRoundingIsRefused() {
    for (String v : new String[] {"1.005", "0.001", "-12345.678"}) {
      ValueEncodingException e =
          assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(decimal(9, 2), new BigDecimal(v)));
      assertSafe(e, null, v.getBytes(StandardCharsets.UTF_8), "amount");
    }
  }

  @Test
  void decimalPlaintextBeyondThePrecisionIsMalformed() {
    byte[] tooBig = new byte[4];
    ValueCodec.putInt(tooBig, 0, 1_000_000_000); // fits 4 bytes, not decimal(9,2)
    assertThrows(MalformedCellException.class, () -> ValueCodec.decode(decimal(9, 2), tooBig));
    byte[] justFits = new byte[4];
    ValueCodec.putInt(justFits, 0, -999_999_999);
    assertEquals(new BigDecimal("-9999999.99"), ValueCodec.decode(decimal(9, 2), justFits));
  }

  @Test
  void dates() {
    ColumnSpec d = col(CellType.DATE);
    for (String v : new String[] {"0001-01-01", "1582-10-04", "1582-10-15", "1899-12-31", "1969-12-31", "1970-01-01",
        "2000-02-29", "2026-11-22", "9999-12-31"}) {
      assertRoundTrip(d, LocalDate.parse(v));
    }
    assertArrayEquals(new byte[] {-1, -1, -1, -1}, ValueCodec.encode(d, LocalDate.parse("1969-12-31")));
    assertEquals(-719162, ValueCodec.getInt(ValueCodec.encode(d, LocalDate.parse("0001-01-01")), 0));
    assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(d, LocalDate.MAX));
  }

  @Test
  void timestamps() {
    ColumnSpec t = col(CellType.TIMESTAMP);
    for (String v : new String[] {"0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "1960-06-15T12:30:45.000001Z",
        "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000001Z", "2026-11-22T08:15:30.123456Z", "9999-12-31T23:59:59.999999Z"}) {
      assertRoundTrip(t, Instant.parse(v));
    }
    // One microsecond before the epoch is -1, not a negative second plus a fraction.
    assertEquals(-1L, ValueCodec.getLong(ValueCodec.encode(t, Instant.parse("1969-12-31T23:59:59.999999Z")), 0));
    ValueEncodingException e =
        assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(t, Instant.parse("2026-01-01T00:00:00.000000001Z")));
    assertSafe(e, null, null, t.column());
    assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(t, Instant.MAX));
  }

  @Test
  void timestampsWithoutZone() {
    ColumnSpec t = col(CellType.TIMESTAMP_NTZ);
    for (String v : new String[] {"0001-01-01T00:00:00", "1969-12-31T23:59:59.999999", "1965-03-01T09:30:00.000001",
        "2026-11-22T08:15:30.123456"}) {
      assertRoundTrip(t, LocalDateTime.parse(v));
    }
    // Wall-clock time, no zone: the same digits as the UTC instant.
    assertArrayEquals(ValueCodec.encode(col(CellType.TIMESTAMP), Instant.parse("2026-11-22T08:15:30.123456Z")),
        ValueCodec.encode(t, LocalDateTime.parse("2026-11-22T08:15:30.123456")));
    assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(t, LocalDateTime.parse("2026-01-01T00:00:00.0000005")));
  }

  @Test
  void binaries() {
    ColumnSpec b = col(CellType.BINARY);
    Random random = new Random(42);
    for (int length : new int[] {0, 1, 15, 16, 17, 1000, 65_537}) {
      byte[] v = new byte[length];
      random.nextBytes(v);
      assertArrayEquals(v, (byte[]) roundTrip(b, v));
    }
    byte[] mine = {1, 2, 3};
    byte[] encoded = ValueCodec.encode(b, mine);
    mine[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, encoded, "encode copies the caller's array");
  }

  /** Strings and binaries have no wrong length; every other type has one width. */
  @ParameterizedTest
  @EnumSource(value = CellType.class, names = {"STRING", "BINARY"}, mode = EnumSource.Mode.EXCLUDE)
  void plaintextOfTheWrongLengthIsMalformed(CellType type) {
    ColumnSpec column = type == CellType.DECIMAL ? decimal(18, 4) : col(type);
    int width = column.plaintextWidth();
    assertEquals(type == CellType.DECIMAL ? 8 : type.fixedWidth(), width);
    for (int length : new int[] {0, width - 1, width + 1, 16 + width}) {
      if (length >= 0 && length != width) {
        MalformedCellException e =
            assertThrows(MalformedCellException.class, () -> ValueCodec.decode(column, new byte[length]));
        assertSafe(e, null, null, column.column());
      }
    }
  }

  @Test
  void wrongJavaTypeIsRefused() {
    Object[][] cases = {
        {col(CellType.INT), 1L}, {col(CellType.LONG), 1}, {col(CellType.STRING), new byte[1]},
        {col(CellType.BINARY), "x"}, {decimal(9, 2), 1.5}, {col(CellType.DATE), Instant.EPOCH},
        {col(CellType.TIMESTAMP), LocalDateTime.MIN}, {col(CellType.TIMESTAMP_NTZ), Instant.EPOCH},
        {col(CellType.BOOLEAN), 1}};
    for (Object[] c : cases) {
      ColumnSpec column = (ColumnSpec) c[0];
      ValueEncodingException e = assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(column, c[1]));
      assertSafe(e, null, null, column.column());
    }
  }

  @Test
  void unscaledPrimitivesAreSignExtended() {
    byte[] b = new byte[16];
    ValueCodec.putUnscaled(b, 0, 16, BigInteger.valueOf(-2));
    assertEquals(BigInteger.valueOf(-2), ValueCodec.getUnscaled(b, 0, 16));
    assertEquals(-1, b[0]);
    assertThrows(ValueEncodingException.class, () -> ValueCodec.putUnscaled(new byte[4], 0, 4, BigInteger.ONE.shiftLeft(31)));
  }
}
