package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class LocalKeyBlobTest {
  private static final HexFormat HEX = HexFormat.of();
  // Known-answer vector of docs/FORMAT.md section 6, computed with an independent AES-GCM
  // implementation (Python cryptography's AESGCM) from the layout as documented.
  private static final byte[] MASTER = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  private static final UUID KEY_ID = UUID.fromString("6f1c4a8e-2b3d-4e5f-8a9b-0c1d2e3f4a5b");
  private static final byte[] NONCE = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaab");
  private static final byte[] DEK = HEX.parseHex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of(Map.of("columnseal:dataset", "cards", "columnseal:dek", "0123456789abcdef"));
  private static final String BLOB_HEX = "43534c4b01" + "6f1c4a8e2b3d4e5f8a9b0c1d2e3f4a5b" + "00000002"
      + "a0a1a2a3a4a5a6a7a8a9aaab"
      + "a6593e6e018e44f82a2ccd984b378e9120fd0b43c6e2143bc4577cdd23f62b5e"
      + "afcd7dbbcec4382cac5cfa124692b6e1";

  @Test
  void wrapMatchesTheKnownAnswer() {
    byte[] blob = LocalKeyBlob.wrap(MASTER, KEY_ID, 2, NONCE, DEK, CONTEXT);
    assertEquals(BLOB_HEX, HEX.formatHex(blob));
  }

  @Test
  void unwrapOfTheKnownAnswerGivesTheDek() throws AEADBadTagException {
    assertArrayEquals(DEK, LocalKeyBlob.unwrap(MASTER, HEX.parseHex(BLOB_HEX), CONTEXT));
  }

  @Test
  void headerFieldsAreReadWithoutDecrypting() {
    byte[] blob = HEX.parseHex(BLOB_HEX);
    assertEquals(85, LocalKeyBlob.LENGTH);
    assertEquals(37, LocalKeyBlob.CIPHERTEXT_OFFSET);
    assertNull(LocalKeyBlob.shapeProblem(blob));
    assertEquals(KEY_ID, LocalKeyBlob.keyIdOf(blob));
    assertEquals(2, LocalKeyBlob.keyVersionOf(blob));
  }

  @Test
  void keyVersionIsUnsigned() {
    byte[] blob = HEX.parseHex(BLOB_HEX);
    blob[LocalKeyBlob.KEY_VERSION_OFFSET] = (byte) 0xFF;
    assertEquals(0xFF000002L, LocalKeyBlob.keyVersionOf(blob));
  }

  @Test
  void emptyContextIsBoundToo() {
    byte[] blob = LocalKeyBlob.wrap(MASTER, KEY_ID, 2, NONCE, DEK, CONTEXT);
    assertThrows(AEADBadTagException.class, () -> LocalKeyBlob.unwrap(MASTER, blob, EncryptionContext.of(Map.of())));
  }

  @Test
  void wrongShapesAreNamed() {
    byte[] blob = HEX.parseHex(BLOB_HEX);
    assertTrue(LocalKeyBlob.shapeProblem(new byte[84]).contains("84 bytes"));
    assertTrue(LocalKeyBlob.shapeProblem(new byte[86]).contains("86 bytes"));
    byte[] noMagic = blob.clone();
    noMagic[0] = 'X';
    assertTrue(LocalKeyBlob.shapeProblem(noMagic).contains("CSLK"));
    byte[] version2 = blob.clone();
    version2[LocalKeyBlob.VERSION_OFFSET] = 2;
    assertTrue(LocalKeyBlob.shapeProblem(version2).contains("version 2"));
  }

  @Test
  void refusesBadInputs() {
    assertThrows(IllegalArgumentException.class, () -> LocalKeyBlob.wrap(MASTER, KEY_ID, 1, NONCE, new byte[16], CONTEXT));
    assertThrows(IllegalArgumentException.class, () -> LocalKeyBlob.wrap(MASTER, KEY_ID, 0, NONCE, DEK, CONTEXT));
    assertThrows(IllegalArgumentException.class, () -> LocalKeyBlob.wrap(MASTER, KEY_ID, 1, new byte[8], DEK, CONTEXT));
  }
}
