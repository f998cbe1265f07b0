package io.columnseal.crypto;

import static io.columnseal.crypto.Secrets.assertSafe;
import static io.columnseal.crypto.Secrets.testKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Nonces never repeat under a DEK, and a DEK stops at 2^32 cells (FORMAT.md section 2.2). */
class CellCounterTest {
  private static final DekId ID = DekId.parse("c0ffee00c0ffee01");
  private static final ColumnSpec PAN = ColumnSpec.of("cards", "card_number", CellType.STRING);
  private static final ColumnSpec CVV = ColumnSpec.of("cards", "cvv", CellType.INT);
  private static final ColumnSpec NAME = ColumnSpec.of("cards", "holder_name", CellType.STRING);

  @Test
  void limitIsTwoToTheThirtyTwo() {
    assertEquals(4_294_967_296L, CellFormat.MAX_CELLS_PER_DEK);
    assertEquals(1L << 32, CellFormat.MAX_CELLS_PER_DEK);
    try (SealingKey key = SealingKey.of(ID, testKey(1)); CellEncryptor encryptor = CellEncryptor.open(key)) {
      assertEquals(CellFormat.MAX_CELLS_PER_DEK, encryptor.remaining());
      assertEquals(0, encryptor.cellsSealed());
    }
  }

  /** A million cells over three interleaved columns: one counter per DEK, 0..n-1 in sealing order. */
  @Test
  void millionNoncesUnderOneDekAreDistinctAndInOrder() {
    int n = 1_000_000;
    long[] counters = new long[n];
    byte[] id = ID.toBytes();
    byte[] pan = "4111111111111111".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] cvv = ValueCodec.encode(CVV, 123);
    try (SealingKey key = SealingKey.of(ID, testKey(1)); CellEncryptor encryptor = CellEncryptor.open(key)) {
      CellEncryptor.Column[] columns = {encryptor.column(PAN), encryptor.column(CVV), encryptor.column(NAME)};
      for (int i = 0; i < n; i++) {
        byte[] cell = columns[i % 3].seal(i % 3 == 1 ? cvv : pan);
        // The nonce is bytes 1..12: the DEK id, then the counter.
        assertTrue(Arrays.equals(cell, 1, 9, id, 0, 8), "cell " + i + " names another DEK");
        counters[i] = CellFormat.readU32(cell, CellFormat.COUNTER_OFFSET);
        assertEquals(i, counters[i]);
      }
      assertEquals(n, encryptor.cellsSealed());
      assertEquals(CellFormat.MAX_CELLS_PER_DEK - n, encryptor.remaining());
    }
    long[] sorted = counters.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < n; i++) {
      assertTrue(sorted[i] != sorted[i - 1], "counter " + sorted[i] + " used twice");
    }
  }

  @Test
  void sealingPastTheLimitIsRefused() {
    byte[] value = {1, 2, 3, 4};
    try (SealingKey key = SealingKey.of(ID, testKey(1));
        OpeningKey opening = OpeningKey.of(ID, testKey(1));
        CellEncryptor encryptor = TestKeys.openAtCounter(key, CellFormat.MAX_CELLS_PER_DEK - 3);
        CellDecryptor decryptor = CellDecryptor.open(opening)) {
      CellEncryptor.Column cvv = encryptor.column(CVV);
      assertEquals(3, encryptor.remaining());
      long[] expected = {0xFFFF_FFFDL, 0xFFFF_FFFEL, 0xFFFF_FFFFL};
      for (int i = 0; i < 3; i++) {
        byte[] cell = cvv.seal(value);
        assertEquals(expected[i], CellFormat.counterOf(cell));
        assertEquals(2 - i, encryptor.remaining());
        assertArrayEquals(value, decryptor.open(CVV, cell));
      }
      assertEquals(CellFormat.MAX_CELLS_PER_DEK, encryptor.cellsSealed());
      for (int attempt = 0; attempt < 2; attempt++) {
        DataKeyExhaustedException e = assertThrows(DataKeyExhaustedException.class, () -> cvv.seal(value));
        assertSafe(e, testKey(1), value, ID.hex());
        assertEquals(0, encryptor.remaining());
      }
    }
  }

  @Test
  void encryptorStartingAtTheLimitSealsNothing() {
    try (SealingKey key = SealingKey.of(ID, testKey(1));
        CellEncryptor encryptor = TestKeys.openAtCounter(key, CellFormat.MAX_CELLS_PER_DEK)) {
      assertEquals(0, encryptor.remaining());
      assertThrows(DataKeyExhaustedException.class, () -> encryptor.column(CVV).seal(new byte[4]));
    }
    try (SealingKey key = SealingKey.of(ID, testKey(2))) {
      assertThrows(IllegalArgumentException.class, () -> TestKeys.openAtCounter(key, CellFormat.MAX_CELLS_PER_DEK + 1));
      assertThrows(IllegalArgumentException.class, () -> TestKeys.openAtCounter(key, -1));
    }
  }

  /** Bad arguments are refused before a counter is spent, and the encryptor keeps working. */
  @Test
  void refusedArgumentsSpendNoCounter() {
    try (SealingKey key = SealingKey.of(ID, testKey(1)); CellEncryptor encryptor = CellEncryptor.open(key)) {
      CellEncryptor.Column pan = encryptor.column(PAN);
      assertThrows(IndexOutOfBoundsException.class, () -> pan.seal(new byte[4], 2, 3));
      assertThrows(IndexOutOfBoundsException.class, () -> pan.seal(new byte[4], -1, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> pan.seal(new byte[4], 0, -1));
      assertThrows(NullPointerException.class, () -> pan.seal(null));
      assertEquals(0, encryptor.cellsSealed());
      byte[] cell = pan.seal(new byte[] {9, 8, 7, 6, 5}, 1, 3);
      assertEquals(0, CellFormat.counterOf(cell));
      try (OpeningKey opening = OpeningKey.of(ID, testKey(1)); CellDecryptor decryptor = CellDecryptor.open(opening)) {
        assertArrayEquals(new byte[] {8, 7, 6}, decryptor.open(PAN, cell));
      }
    }
  }

  @Test
  void sameValueSealsToUnrelatedCells() {
    byte[] value = "4111111111111111".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (SealingKey key = SealingKey.of(ID, testKey(1)); CellEncryptor encryptor = CellEncryptor.open(key)) {
      byte[] a = encryptor.column(PAN).seal(value);
      byte[] b = encryptor.column(PAN).seal(value);
      assertTrue(!Arrays.equals(a, CellFormat.HEADER_BYTES, a.length, b, CellFormat.HEADER_BYTES, b.length));
    }
  }
}
