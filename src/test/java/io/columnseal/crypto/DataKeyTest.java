package io.columnseal.crypto;

import static io.columnseal.crypto.Secrets.assertSafe;
import static io.columnseal.crypto.Secrets.testKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataKeyTest {
  private static final DekId ID = DekId.parse("0123456789abcdef");
  private static final ColumnSpec PAN = ColumnSpec.of("cards", "card_number", CellType.STRING);
  private static final byte[] VALUE = "4111111111111111".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 31, 33, 64})
  void keyOfWrongLengthIsRefused(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (0x40 + i);
    }
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> DataKey.of(ID, bytes));
    assertSafe(e, bytes, null, ID.hex(), length + " bytes");
  }

  @Test
  void missingKeyBytesAreRefused() {
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> DataKey.of(ID, null));
    assertSafe(e, null, null, ID.hex());
  }

  @Test
  void allZeroKeyIsRefused() {
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> DataKey.of(ID, new byte[32]));
    assertSafe(e, null, null, ID.hex(), "zero");
  }

  @Test
  void keyIsCopiedSoTheCallerMayZeroItsArray() {
    byte[] bytes = testKey(1);
    try (DataKey key = DataKey.of(ID, bytes)) {
      java.util.Arrays.fill(bytes, (byte) 0);
      assertArrayEquals(testKey(1), key.copyKeyBytes());
    }
  }

  @Test
  void toStringShowsTheIdOnly() {
    byte[] bytes = testKey(0x50);
    DataKey key = DataKey.of(ID, bytes);
    assertEquals("DataKey[id=0123456789abcdef]", key.toString());
    assertSafe(key.toString(), bytes, null, ID.hex());
    assertSafe(String.valueOf(key.jceKey()), bytes, null, ID.hex());
    key.destroy();
    assertEquals("DataKey[id=0123456789abcdef, destroyed]", key.toString());
  }

  @Test
  void destroyZeroesTheKeyBytes() throws ReflectiveOperationException {
    DataKey key = DataKey.of(ID, testKey(1));
    Field field = DataKey.class.getDeclaredField("key");
    field.setAccessible(true);
    byte[] inside = (byte[]) field.get(key);
    assertArrayEquals(testKey(1), inside);
    key.close();
    assertTrue(key.isDestroyed());
    assertArrayEquals(new byte[32], inside);
  }

  @Test
  void destroyedKeyRefusesEveryUse() {
    byte[] bytes = testKey(1);
    DataKey key = DataKey.of(ID, bytes);
    DataKey other = DataKey.of(ID, bytes);
    CellEncryptor encryptor = CellEncryptor.open(key);
    byte[] cell = encryptor.column(PAN).seal(VALUE);
    CellDecryptor decryptor = CellDecryptor.open(key);
    key.destroy();

    for (Runnable use : new Runnable[] {
        key::copyKeyBytes,
        () -> key.sameKeyAs(other),
        () -> other.sameKeyAs(key),
        () -> CellEncryptor.open(key),
        () -> CellDecryptor.open(key),
        () -> encryptor.column(PAN).seal(VALUE),
        () -> decryptor.open(PAN, cell),
        () -> key.jceKey().getEncoded()}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
      assertSafe(e, bytes, VALUE, ID.hex(), "destroyed");
    }
    assertEquals(1, encryptor.cellsSealed(), "a refused seal spends no counter");
  }

  @Test
  void aKeyHasOneEncryptorOnly() {
    try (DataKey key = DataKey.of(ID, testKey(1))) {
      CellEncryptor first = CellEncryptor.open(key);
      first.close();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> CellEncryptor.open(key));
      assertSafe(e, testKey(1), null, ID.hex());
      // Decryptors are not limited: they never choose a nonce.
      CellDecryptor.open(key).close();
      CellDecryptor.open(key).close();
    }
  }

  @Test
  void sameKeyAsComparesBytesAndIds() {
    try (DataKey a = DataKey.of(ID, testKey(1));
        DataKey b = DataKey.of(ID, testKey(1));
        DataKey otherBytes = DataKey.of(ID, testKey(2));
        DataKey otherId = DataKey.of(DekId.fromLong(1), testKey(1))) {
      assertTrue(a.sameKeyAs(b));
      assertFalse(a.sameKeyAs(otherBytes));
      assertFalse(a.sameKeyAs(otherId));
      assertEquals(ID, a.id());
    }
  }

  @Test
  void missingIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DataKey.of(null, testKey(1)));
  }
}
