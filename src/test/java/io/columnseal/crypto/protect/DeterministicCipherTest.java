package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.CellAuthenticationException;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.MalformedCellException;
import io.columnseal.crypto.UnsupportedCellVersionException;
import io.columnseal.crypto.WrongDataKeyException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The deterministic protection (FORMAT.md 10.2): round trips, equality, binding, tampering. */
class DeterministicCipherTest {
  static final DekId KEY_ID = DekId.parse("d0d1d2d3d4d5d6d7");
  private static final String PAN = "4111111111111111";

  static byte[] keyBytes(int first) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (first + i);
    }
    return k;
  }

  static DomainKey key(String domain) {
    return DomainKey.of(domain, KEY_ID, keyBytes(0x40));
  }

  static Stream<Arguments> everyType() {
    return Stream.of(
        Arguments.of(ColumnSpec.of("d", "s", CellType.STRING), "Zoë Müller-Ørsted"),
        Arguments.of(ColumnSpec.of("d", "s", CellType.STRING), ""),
        Arguments.of(ColumnSpec.of("d", "b", CellType.BOOLEAN), true),
        Arguments.of(ColumnSpec.of("d", "y", CellType.BYTE), (byte) -7),
        Arguments.of(ColumnSpec.of("d", "h", CellType.SHORT), (short) -30000),
        Arguments.of(ColumnSpec.of("d", "i", CellType.INT), Integer.MIN_VALUE),
        Arguments.of(ColumnSpec.of("d", "l", CellType.LONG), 4111111111111111L),
        Arguments.of(ColumnSpec.of("d", "f", CellType.FLOAT), -0.0f),
        Arguments.of(ColumnSpec.of("d", "x", CellType.DOUBLE), Double.longBitsToDouble(0x7ff8000000000123L)),
        Arguments.of(ColumnSpec.decimal("d", "m", 12, 2), new BigDecimal("-1234567890.12")),
        Arguments.of(ColumnSpec.decimal("d", "m", 38, 0), new BigDecimal("99999999999999999999999999999999999999")),
        Arguments.of(ColumnSpec.of("d", "t", CellType.DATE), LocalDate.of(1969, 7, 20)),
        Arguments.of(ColumnSpec.of("d", "ts", CellType.TIMESTAMP), Instant.parse("1960-01-01T00:00:00.000001Z")),
        Arguments.of(ColumnSpec.of("d", "n", CellType.TIMESTAMP_NTZ), LocalDateTime.of(2026, 12, 4, 21, 0, 0, 123000)),
        Arguments.of(ColumnSpec.of("d", "bin", CellType.BINARY), new byte[] {0, 1, (byte) 0xff}));
  }

  @ParameterizedTest
  @MethodSource("everyType")
  void everyTypeRoundTripsExactly(ColumnSpec column, Object value) {
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      byte[] cell = c.sealValue(column, value);
      assertEquals(DeterministicCipher.VERSION, cell[0]);
      assertEquals(KEY_ID, DeterministicCipher.keyIdOf(cell));
      Object back = c.openValue(column, cell);
      if (value instanceof byte[] b) {
        assertArrayEquals(b, (byte[]) back);
      } else if (value instanceof Float || value instanceof Double) {
        assertEquals(value.toString(), back.toString());
        assertEquals(bits(value), bits(back));
      } else {
        assertEquals(value, back);
      }
    }
  }

  private static long bits(Object v) {
    return v instanceof Float f ? Float.floatToRawIntBits(f) : Double.doubleToRawLongBits((Double) v);
  }

  @Test
  void equalValuesGiveEqualCellsAcrossInstancesDatasetsAndColumns() {
    ColumnSpec cards = ColumnSpec.of("cards", "card_number", CellType.STRING);
    ColumnSpec txns = ColumnSpec.of("transactions", "pan", CellType.STRING);
    byte[] a;
    byte[] b;
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      a = c.sealValue(cards, PAN);
      assertArrayEquals(a, c.sealValue(cards, PAN));
    }
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      b = c.sealValue(txns, PAN);
      assertEquals(PAN, c.openValue(cards, b));
    }
    assertArrayEquals(a, b);
  }

  @Test
  void oneInstanceSealingAndOpeningInTurnGivesWhatFreshInstancesGive() {
    ColumnSpec s = ColumnSpec.of("d", "c", CellType.STRING);
    ColumnSpec l = ColumnSpec.of("d", "n", CellType.LONG);
    String[] values = {PAN, "", "4111111111111112", "Zoë", PAN};
    try (DomainKey k = key("pan"); DeterministicCipher busy = DeterministicCipher.open(k)) {
      for (int i = 0; i < values.length; i++) {
        byte[] cell = busy.sealValue(s, values[i]);
        byte[] number = busy.sealValue(l, (long) i);
        assertEquals(values[i], busy.openValue(s, cell));
        try (DeterministicCipher fresh = DeterministicCipher.open(k)) {
          assertArrayEquals(fresh.sealValue(s, values[i]), cell);
        }
        try (DeterministicCipher fresh = DeterministicCipher.open(k)) {
          assertArrayEquals(fresh.sealValue(l, (long) i), number);
        }
        byte[] bad = cell.clone();
        bad[bad.length - 1] ^= 1;
        assertThrows(CellAuthenticationException.class, () -> busy.open(s, bad));
        assertEquals(values[i], busy.openValue(s, cell), "a failed open leaves the cipher usable");
      }
      byte[][] run = new byte[values.length][];
      for (int i = 0; i < values.length; i++) {
        run[i] = busy.sealValue(s, values[i]); // one seal after another, same type: no re-init
      }
      for (int i = 0; i < values.length; i++) {
        try (DeterministicCipher fresh = DeterministicCipher.open(k)) {
          assertArrayEquals(fresh.sealValue(s, values[i]), run[i]);
        }
        assertEquals(values[i], busy.openValue(s, run[i]));
      }
    }
  }

  @Test
  void aSliceOfABufferGivesTheSameCell() {
    ColumnSpec s = ColumnSpec.of("cards", "card_number", CellType.STRING);
    byte[] buffer = ("xx" + PAN + "yy").getBytes(StandardCharsets.US_ASCII);
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      assertArrayEquals(c.sealValue(s, PAN), c.seal(s, buffer, 2, 16));
      assertThrows(IndexOutOfBoundsException.class, () -> c.seal(s, buffer, 10, 16));
    }
  }

  @Test
  void differentDomainsValuesAndTypesGiveDifferentCells() {
    ColumnSpec s = ColumnSpec.of("d", "c", CellType.STRING);
    try (DomainKey pan = key("pan"); DomainKey other = key("pan2");
        DeterministicCipher c1 = DeterministicCipher.open(pan); DeterministicCipher c2 = DeterministicCipher.open(other)) {
      assertFalse(Arrays.equals(c1.sealValue(s, PAN), c2.sealValue(s, PAN)));
      assertFalse(Arrays.equals(c1.sealValue(s, PAN), c1.sealValue(s, "4111111111111112")));
      // The same 8 bytes as a long and as a binary: the type tag keeps them apart.
      ColumnSpec asLong = ColumnSpec.of("d", "c", CellType.LONG);
      ColumnSpec asBinary = ColumnSpec.of("d", "c", CellType.BINARY);
      byte[] l = c1.sealValue(asLong, 0x3132333435363738L);
      byte[] b = c1.sealValue(asBinary, "12345678".getBytes(StandardCharsets.US_ASCII));
      assertEquals(l.length, b.length);
      assertFalse(Arrays.equals(l, b));
    }
  }

  @Test
  void aFlippedBitAnywhereFailsAuthentication() {
    ColumnSpec s = ColumnSpec.of("cards", "card_number", CellType.STRING);
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      byte[] cell = c.sealValue(s, PAN);
      for (int i = DeterministicCipher.HEADER_BYTES; i < cell.length; i++) {
        byte[] bad = cell.clone();
        bad[i] ^= 0x01;
        CellAuthenticationException e = assertThrows(CellAuthenticationException.class, () -> c.open(s, bad));
        assertFalse(e.getMessage().contains(PAN));
        assertTrue(e.getMessage().contains("card_number"), e.getMessage());
      }
    }
  }

  @Test
  void anotherDomainTypeOrKeyFailsAuthentication() {
    ColumnSpec s = ColumnSpec.of("cards", "card_number", CellType.STRING);
    ColumnSpec bin = ColumnSpec.of("cards", "card_number", CellType.BINARY);
    byte[] cell;
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      cell = c.sealValue(s, PAN);
      assertThrows(CellAuthenticationException.class, () -> c.open(bin, cell));
    }
    try (DomainKey k = key("names"); DeterministicCipher c = DeterministicCipher.open(k)) {
      assertThrows(CellAuthenticationException.class, () -> c.open(s, cell));
    }
    try (DomainKey k = DomainKey.of("pan", KEY_ID, keyBytes(0x41)); DeterministicCipher c = DeterministicCipher.open(k)) {
      assertThrows(CellAuthenticationException.class, () -> c.open(s, cell));
    }
  }

  @Test
  void shapeVersionAndKeyIdAreCheckedBeforeTheTag() {
    ColumnSpec s = ColumnSpec.of("cards", "card_number", CellType.STRING);
    ColumnSpec i = ColumnSpec.of("cards", "n", CellType.INT);
    try (DomainKey k = key("pan"); DeterministicCipher c = DeterministicCipher.open(k)) {
      byte[] cell = c.sealValue(s, PAN);
      assertThrows(MalformedCellException.class, () -> c.open(s, Arrays.copyOf(cell, 24)));
      assertThrows(MalformedCellException.class, () -> c.open(i, cell));
      byte[] v1 = cell.clone();
      v1[0] = 0x01;
      assertThrows(UnsupportedCellVersionException.class, () -> c.open(s, v1));
      byte[] otherId = cell.clone();
      otherId[1] ^= 0x01;
      WrongDataKeyException e = assertThrows(WrongDataKeyException.class, () -> c.open(s, otherId));
      assertEquals("deterministic cell in column card_number names domain key d1d1d2d3d4d5d6d7, not key "
          + "d0d1d2d3d4d5d6d7 of domain pan", e.getMessage());
    }
  }

  @Test
  void closedCipherAndDestroyedKeyRefuseWork() {
    ColumnSpec s = ColumnSpec.of("cards", "card_number", CellType.STRING);
    DomainKey k = key("pan");
    DeterministicCipher c = DeterministicCipher.open(k);
    c.close();
    assertThrows(IllegalStateException.class, () -> c.sealValue(s, PAN));
    k.destroy();
    assertThrows(IllegalStateException.class, () -> DeterministicCipher.open(k));
    assertEquals("DomainKey[domain=pan, id=d0d1d2d3d4d5d6d7, destroyed]", k.toString());
    assertNotEquals(-1, c.toString().indexOf("d0d1d2d3d4d5d6d7"));
  }

  @Test
  void theAssociatedDataIsTheDocumentedBytes() {
    ColumnSpec s = ColumnSpec.of("any dataset", "any column", CellType.STRING);
    assertEquals("02" + "0003" + "70616e" + "010000" + "d0d1d2d3d4d5d6d7",
        HexFormat.of().formatHex(DeterministicCipher.associatedData("pan", s, KEY_ID)));
  }
}
