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

/**
 * {@link SealingKey} and {@link OpeningKey}. The compile-time guarantee is the signatures:
 * {@code CellEncryptor.open(SealingKey)} and {@code KeyService.decrypt(..)} returning
 * {@link OpeningKey}, two unrelated final classes, so {@code CellEncryptor.open(kms.decrypt(..))}
 * does not compile; {@link #theTypesCannotStandForEachOther} pins that down by reflection.
 */
class KeyTypesTest {
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
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> SealingKey.of(ID, bytes));
    assertThrows(InvalidDataKeyException.class, () -> OpeningKey.of(ID, bytes));
    assertSafe(e, bytes, null, ID.hex(), length + " bytes");
  }

  @Test
  void missingKeyBytesAreRefused() {
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> OpeningKey.of(ID, null));
    assertSafe(e, null, null, ID.hex());
  }

  @Test
  void allZeroKeyIsRefused() {
    InvalidDataKeyException e = assertThrows(InvalidDataKeyException.class, () -> SealingKey.of(ID, new byte[32]));
    assertSafe(e, null, null, ID.hex(), "zero");
  }

  @Test
  void keyIsCopiedSoTheCallerMayZeroItsArray() {
    byte[] bytes = testKey(1);
    try (SealingKey key = SealingKey.of(ID, bytes); OpeningKey opening = OpeningKey.of(ID, bytes)) {
      java.util.Arrays.fill(bytes, (byte) 0);
      assertArrayEquals(testKey(1), key.copyKeyBytes());
      assertArrayEquals(testKey(1), TestKeys.bytesOf(opening));
    }
  }

  @Test
  void toStringShowsTheIdOnly() {
    byte[] bytes = testKey(0x50);
    SealingKey key = SealingKey.of(ID, bytes);
    OpeningKey opening = OpeningKey.of(ID, bytes);
    assertEquals("SealingKey[id=0123456789abcdef]", key.toString());
    assertEquals("OpeningKey[id=0123456789abcdef]", opening.toString());
    assertSafe(key.toString(), bytes, null, ID.hex());
    assertSafe(String.valueOf(key.jceKey()), bytes, null, ID.hex());
    assertSafe(String.valueOf(opening.jceKey()), bytes, null, ID.hex());
    key.destroy();
    opening.destroy();
    assertEquals("SealingKey[id=0123456789abcdef, destroyed]", key.toString());
    assertEquals("OpeningKey[id=0123456789abcdef, destroyed]", opening.toString());
  }

  @Test
  void destroyZeroesTheKeyBytes() throws ReflectiveOperationException {
    SealingKey key = SealingKey.of(ID, testKey(1));
    OpeningKey opening = OpeningKey.of(ID, testKey(1));
    byte[] inside = bytesInside(key, SealingKey.class);
    byte[] insideOpening = bytesInside(opening, OpeningKey.class);
    assertArrayEquals(testKey(1), inside);
    assertArrayEquals(testKey(1), insideOpening);
    key.close();
    opening.close();
    assertTrue(key.isDestroyed() && opening.isDestroyed());
    assertArrayEquals(new byte[32], inside);
    assertArrayEquals(new byte[32], insideOpening);
  }

  private static byte[] bytesInside(Object key, Class<?> type) throws ReflectiveOperationException {
    Field material = type.getDeclaredField("material");
    material.setAccessible(true);
    Field bytes = KeyMaterial.class.getDeclaredField("key");
    bytes.setAccessible(true);
    return (byte[]) bytes.get(material.get(key));
  }

  @Test
  void destroyedKeyRefusesEveryUse() {
    byte[] bytes = testKey(1);
    SealingKey key = SealingKey.of(ID, bytes);
    SealingKey other = SealingKey.of(ID, bytes);
    OpeningKey opening = OpeningKey.of(ID, bytes);
    CellEncryptor encryptor = CellEncryptor.open(key);
    byte[] cell = encryptor.column(PAN).seal(VALUE);
    CellDecryptor decryptor = CellDecryptor.open(opening);
    key.destroy();
    opening.destroy();

    for (Runnable use : new Runnable[] {
        key::copyKeyBytes,
        () -> key.sameKeyAs(other),
        () -> other.sameKeyAs(key),
        () -> opening.sameKeyAs(other),
        () -> other.sameKeyAs(opening),
        () -> CellEncryptor.open(key),
        () -> CellDecryptor.open(opening),
        () -> encryptor.column(PAN).seal(VALUE),
        () -> decryptor.open(PAN, cell),
        () -> key.jceKey().getEncoded(),
        () -> TestKeys.bytesOf(opening)}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
      assertSafe(e, bytes, VALUE, ID.hex(), "destroyed");
    }
    assertEquals(1, encryptor.cellsSealed(), "a refused seal spends no counter");
  }

  @Test
  void aSealingKeyOpensExactlyOneEncryptor() {
    try (SealingKey key = SealingKey.of(ID, testKey(1))) {
      CellEncryptor first = CellEncryptor.open(key);
      byte[] cell = first.column(PAN).seal(VALUE);
      first.close();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> CellEncryptor.open(key));
      assertSafe(e, testKey(1), null, ID.hex(), "already has a cell encryptor");
      // The counter seam claims the key too, so a test cannot bypass the rule by accident either.
      assertThrows(IllegalStateException.class, () -> TestKeys.openAtCounter(key, 5));
      assertEquals(0, CellFormat.counterOf(cell), "the one encryptor started at counter 0");
    }
  }

  @Test
  void anOpeningKeyOpensAnyNumberOfDecryptors() {
    try (SealingKey sealing = SealingKey.of(ID, testKey(1)); OpeningKey key = OpeningKey.of(ID, testKey(1));
        CellEncryptor encryptor = CellEncryptor.open(sealing)) {
      byte[] cell = encryptor.column(PAN).seal(VALUE);
      // Decryptors never choose a nonce, so they are not limited.
      try (CellDecryptor a = CellDecryptor.open(key); CellDecryptor b = CellDecryptor.open(key)) {
        assertArrayEquals(VALUE, a.open(PAN, cell));
        assertArrayEquals(VALUE, b.open(PAN, cell));
      }
    }
  }

  @Test
  void theTypesCannotStandForEachOther() throws ReflectiveOperationException {
    assertFalse(SealingKey.class.isAssignableFrom(OpeningKey.class));
    assertFalse(OpeningKey.class.isAssignableFrom(SealingKey.class));
    assertEquals(SealingKey.class, CellEncryptor.class.getMethod("open", SealingKey.class).getParameterTypes()[0]);
    assertEquals(1, java.util.Arrays.stream(CellEncryptor.class.getMethods()).filter(m -> m.getName().equals("open")).count(),
        "no public encryptor factory takes any other key type");
    assertEquals(OpeningKey.class, io.columnseal.kms.KeyService.class.getMethod("decrypt",
        io.columnseal.kms.WrappedKey.class, DekId.class, io.columnseal.kms.EncryptionContext.class).getReturnType());
    assertEquals(SealingKey.class, io.columnseal.kms.GeneratedDataKey.class.getMethod("plaintext").getReturnType());
    assertFalse(java.util.Arrays.stream(OpeningKey.class.getMethods()).anyMatch(m -> m.getReturnType() == byte[].class),
        "an opening key gives no bytes out to make a sealing key from");
  }

  @Test
  void sameKeyAsComparesBytesAndIds() {
    try (SealingKey a = SealingKey.of(ID, testKey(1));
        SealingKey b = SealingKey.of(ID, testKey(1));
        OpeningKey unwrapped = OpeningKey.of(ID, testKey(1));
        SealingKey otherBytes = SealingKey.of(ID, testKey(2));
        OpeningKey otherId = OpeningKey.of(DekId.fromLong(1), testKey(1))) {
      assertTrue(a.sameKeyAs(b));
      assertTrue(a.sameKeyAs(unwrapped));
      assertTrue(unwrapped.sameKeyAs(a));
      assertFalse(a.sameKeyAs(otherBytes));
      assertFalse(a.sameKeyAs(otherId));
      assertFalse(otherId.sameKeyAs(unwrapped));
      assertEquals(ID, a.id());
      assertEquals(ID, unwrapped.id());
    }
  }

  @Test
  void missingIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> SealingKey.of(null, testKey(1)));
    assertThrows(IllegalArgumentException.class, () -> OpeningKey.of(null, testKey(1)));
  }
}
