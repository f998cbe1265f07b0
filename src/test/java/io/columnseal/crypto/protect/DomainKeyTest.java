package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.InvalidDataKeyException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The domain key holder (FORMAT.md 10.1): checks, one subkey per protection, no bytes shown. */
class DomainKeyTest {
  private static final DekId ID = DekId.parse("a0a1a2a3a4a5a6a7");

  @Test
  void badKeysAreRefusedWithoutShowingBytes() {
    InvalidDataKeyException zero = assertThrows(InvalidDataKeyException.class, () -> DomainKey.of("pan", ID, new byte[32]));
    assertEquals("domain key a0a1a2a3a4a5a6a7 of domain pan is all zero bytes; refusing it", zero.getMessage());
    InvalidDataKeyException shortKey = assertThrows(InvalidDataKeyException.class,
        () -> DomainKey.of("pan", ID, HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10")));
    assertEquals("domain key a0a1a2a3a4a5a6a7 of domain pan must be 32 bytes, got 16 bytes", shortKey.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DomainKey.of("", ID, DeterministicCipherTest.keyBytes(1)));
    assertThrows(IllegalArgumentException.class, () -> DomainKey.of("x".repeat(65536), ID, DeterministicCipherTest.keyBytes(1)));
  }

  @Test
  void eachProtectionHasItsOwnSubkeyAndTheCallersArrayIsCopied() {
    byte[] bytes = DeterministicCipherTest.keyBytes(0x40);
    try (DomainKey k = DomainKey.of("pan", ID, bytes)) {
      java.util.Arrays.fill(bytes, (byte) 0);
      String det = HexFormat.of().formatHex(k.derive(DomainKey.INFO_DETERMINISTIC));
      String ff1 = HexFormat.of().formatHex(k.derive(DomainKey.INFO_FF1));
      String token = HexFormat.of().formatHex(k.derive(DomainKey.INFO_TOKEN));
      assertEquals("f293c4eaaa35a51aaf17ad3e6b4e716e244d04e480082b1b98d6352b30347741", det);
      assertNotEquals(det, ff1);
      assertNotEquals(ff1, token);
      assertEquals("DomainKey[domain=pan, id=a0a1a2a3a4a5a6a7]", k.toString());
      assertFalse(k.toString().contains("404142"));
    }
  }

  @Test
  void aDestroyedKeyDerivesNothing() {
    DomainKey k = DomainKey.of("pan", ID, DeterministicCipherTest.keyBytes(0x40));
    k.close();
    assertTrue(k.isDestroyed());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.derive(DomainKey.INFO_TOKEN));
    assertEquals("domain key a0a1a2a3a4a5a6a7 of domain pan has been destroyed", e.getMessage());
    assertThrows(IllegalStateException.class, () -> Tokenizer.open(k, 16));
    assertThrows(IllegalStateException.class, () -> FormatPreservingCipher.open(k, FpeOptions.FULL));
  }
}
