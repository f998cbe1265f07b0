package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** HMAC_256 keys of the local keyring: GenerateMac/VerifyMac, key usage, no rotation, the file record. */
class LocalKeyringMacTest {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] MESSAGE = "columnseal manifest commit 00000000000000000001".getBytes(StandardCharsets.UTF_8);
  /** HMAC-SHA-256 of MESSAGE under key 00 01 ... 1f, computed with Python's hmac module (FORMAT.md 6.5). */
  static final String KNOWN_MAC = "702093851a6d87b117cadd13ed4e3138bc56249fa38436870928250649242f13";

  @TempDir Path dir;
  Path file;
  LocalKeyring keyring;
  KeyDescription mac;
  KeyDescription aes;
  final List<Throwable> thrown = new ArrayList<>();

  @BeforeEach
  void open() {
    file = dir.resolve("mac.keyring.json");
    keyring = LocalKeyring.createOrOpen(file);
    aes = keyring.createKey("alias/cards", "cards master key");
    mac = keyring.createKey("alias/manifest-mac", "manifest MAC key", KeySpec.HMAC_256);
  }

  @AfterEach
  void noMessageShowsKeyMaterial() {
    List<String> materials = KeyringSecrets.materials(file);
    for (Throwable t : thrown) {
      KeyringSecrets.assertShowsNone(t, materials);
    }
    keyring.close();
  }

  private <T extends Throwable> T expect(Class<T> type, Executable call) {
    T t = assertThrows(type, call);
    thrown.add(t);
    return t;
  }

  @Test
  void rfc4231TestCase2() {
    // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?".
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", HEX.formatHex(LocalMac.hmacSha256(
        "Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void knownAnswerThroughTheKeyringWithAnInjectedKey() {
    keyring.close();
    ObjectNode tree = KeyringSecrets.tree(file);
    ((ObjectNode) tree.get("keys").get(1).get("versions").get(0)).put("material", KeyringSecrets.base64(HEX.parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")));
    KeyringSecrets.writeTree(file, tree);
    keyring = LocalKeyring.open(file);
    GeneratedMac m = keyring.generateMac("alias/manifest-mac", MESSAGE);
    assertEquals(KNOWN_MAC, HEX.formatHex(m.mac()));
    assertEquals(mac.keyArn(), m.keyArn());
    assertTrue(keyring.verifyMac(mac.keyArn(), MESSAGE, HEX.parseHex(KNOWN_MAC)));
  }

  @Test
  void macsVerifyAcrossReopeningAndEveryReferenceForm() {
    GeneratedMac m = keyring.generateMac(mac.keyArn(), MESSAGE);
    assertEquals(32, m.mac().length);
    String keyId = mac.keyArn().substring(mac.keyArn().lastIndexOf('/') + 1);
    try (LocalKeyring again = LocalKeyring.open(file)) {
      for (String ref : List.of(mac.keyArn(), keyId, "alias/manifest-mac", LocalKeyRef.aliasArn("alias/manifest-mac"))) {
        assertTrue(again.verifyMac(ref, MESSAGE, m.mac()), ref);
        assertArrayEquals(m.mac(), again.generateMac(ref, MESSAGE).mac(), ref);
      }
    }
  }

  @Test
  void aFlippedByteAnotherMessageOrAnotherKeyDoesNotVerify() {
    byte[] tag = keyring.generateMac(mac.keyArn(), MESSAGE).mac();
    for (int i = 0; i < tag.length; i++) {
      byte[] flipped = tag.clone();
      flipped[i] ^= 0x01;
      assertFalse(keyring.verifyMac(mac.keyArn(), MESSAGE, flipped), "byte " + i);
    }
    byte[] other = MESSAGE.clone();
    other[0] ^= 0x01;
    assertFalse(keyring.verifyMac(mac.keyArn(), other, tag));
    KeyDescription second = keyring.createKey(null, "second", KeySpec.HMAC_256);
    assertFalse(keyring.verifyMac(second.keyArn(), MESSAGE, tag));
    assertFalse(keyring.verifyMac(mac.keyArn(), MESSAGE, java.util.Arrays.copyOf(tag, 31)));
    assertFalse(keyring.verifyMac(mac.keyArn(), MESSAGE, new byte[0]));
    assertTrue(keyring.verifyMac(mac.keyArn(), MESSAGE, tag));
  }

  @Test
  void keyUsageIsEnforcedBothWaysLikeKms() {
    DekId dek = DekId.fromLong(1);
    EncryptionContext context = EncryptionContext.forDek("cards", dek.hex(), Map.of());
    InvalidKeyUsageException e = expect(InvalidKeyUsageException.class, () -> keyring.generateMac("alias/cards", MESSAGE));
    assertEquals("GenerateMac on key alias/cards: key " + aes.keyArn() + " has key usage ENCRYPT_DECRYPT, and GenerateMac"
        + " needs a HMAC_256 key with usage GENERATE_VERIFY_MAC (local keyring " + file.toAbsolutePath() + ")", e.getMessage());
    expect(InvalidKeyUsageException.class, () -> keyring.verifyMac(aes.keyArn(), MESSAGE, new byte[32]));
    InvalidKeyUsageException g = expect(InvalidKeyUsageException.class,
        () -> keyring.generateDataKey("alias/manifest-mac", dek, context));
    assertTrue(g.getMessage().contains("has key usage GENERATE_VERIFY_MAC, and GenerateDataKey needs a SYMMETRIC_DEFAULT key"),
        g.getMessage());
    WrappedKey wrapped = keyring.generateDataKey("alias/cards", dek, context).wrapped();
    expect(InvalidKeyUsageException.class, () -> keyring.reEncrypt(wrapped, context, "alias/manifest-mac"));
    expect(InvalidKeyUsageException.class, () -> keyring.decrypt(new WrappedKey(mac.keyArn(), wrapped.blob()), dek, context));
  }

  @Test
  void hmacKeysRefuseRotationButDisableAndEnable() {
    byte[] tag = keyring.generateMac(mac.keyArn(), MESSAGE).mac();
    KmsRequestRejectedException r = expect(KmsRequestRejectedException.class, () -> keyring.rotate("alias/manifest-mac"));
    assertEquals("RotateKeyOnDemand on key alias/manifest-mac: key " + mac.keyArn() + " is an HMAC_256 key, and HMAC keys"
        + " do not rotate (as in KMS); create a new HMAC key instead (local keyring " + file.toAbsolutePath() + ")",
        r.getMessage());
    keyring.disable("alias/manifest-mac");
    expect(KeyDisabledException.class, () -> keyring.generateMac(mac.keyArn(), MESSAGE));
    expect(KeyDisabledException.class, () -> keyring.verifyMac(mac.keyArn(), MESSAGE, tag));
    keyring.enable("alias/manifest-mac");
    assertTrue(keyring.verifyMac(mac.keyArn(), MESSAGE, tag));
    assertEquals(1, keyring.listKeys().get(1).versionCount());
  }

  @Test
  void messagesOutsideKmsBoundsAreRejected() {
    expect(KmsRequestRejectedException.class, () -> keyring.generateMac(mac.keyArn(), new byte[0]));
    expect(KmsRequestRejectedException.class, () -> keyring.verifyMac(mac.keyArn(), new byte[4097], new byte[32]));
    assertEquals(32, keyring.generateMac(mac.keyArn(), new byte[4096]).mac().length);
    expect(KeyNotFoundException.class, () -> keyring.generateMac("alias/nope", MESSAGE));
  }

  @Test
  void theFileRecordsSpecAndUsageAndFormatVersion2() {
    ObjectNode tree = KeyringSecrets.tree(file);
    assertEquals(2, tree.get("formatVersion").intValue());
    assertEquals("SYMMETRIC_DEFAULT", tree.get("keys").get(0).get("keySpec").asText());
    assertEquals("ENCRYPT_DECRYPT", tree.get("keys").get(0).get("keyUsage").asText());
    assertEquals("HMAC_256", tree.get("keys").get(1).get("keySpec").asText());
    assertEquals("GENERATE_VERIFY_MAC", tree.get("keys").get(1).get("keyUsage").asText());
    assertEquals(32, java.util.Base64.getDecoder().decode(
        tree.get("keys").get(1).get("versions").get(0).get("material").asText()).length);
    assertEquals(List.of(KeySpec.SYMMETRIC_DEFAULT, KeySpec.HMAC_256),
        keyring.listKeys().stream().map(LocalKeyInfo::spec).toList());
  }

  @Test
  void aKeyringWithoutHmacKeysStaysFormatVersion1AndOldFilesReadAsAes() {
    Path plain = dir.resolve("plain.keyring.json");
    try (LocalKeyring k = LocalKeyring.createOrOpen(plain)) {
      k.createKey("alias/cards", "cards");
    }
    ObjectNode tree = KeyringSecrets.tree(plain);
    assertEquals(1, tree.get("formatVersion").intValue());
    ((ObjectNode) tree.get("keys").get(0)).remove(List.of("keySpec", "keyUsage")); // as written before HMAC keys
    KeyringSecrets.writeTree(plain, tree);
    try (LocalKeyring k = LocalKeyring.open(plain)) {
      assertEquals(KeySpec.SYMMETRIC_DEFAULT, k.listKeys().get(0).spec());
    }
  }

  @Test
  void malformedHmacRecordsAreCorrupt() {
    keyring.close();
    ObjectNode good = KeyringSecrets.tree(file);
    List<java.util.function.Consumer<ObjectNode>> edits = List.of(
        t -> t.put("formatVersion", 1),
        t -> ((ObjectNode) t.get("keys").get(1)).put("keyUsage", "ENCRYPT_DECRYPT"),
        t -> ((ObjectNode) t.get("keys").get(1)).put("keySpec", "HMAC_512"),
        t -> ((ObjectNode) t.get("keys").get(1)).remove("keyUsage"),
        t -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("keys").get(1).get("versions"))
            .add(((ObjectNode) t.get("keys").get(1).get("versions").get(0).deepCopy()).put("version", 2)));
    List<String> details = List.of("keys[1] is an HMAC key in a format version 1 keyring; HMAC keys need 2",
        "keys[1].keyUsage must be GENERATE_VERIFY_MAC for a HMAC_256 key", "keys[1].keySpec must be SYMMETRIC_DEFAULT or HMAC_256",
        "misses field keys[1].keyUsage", "keys[1] is an HMAC key with 2 versions; HMAC keys do not rotate and have one");
    for (int i = 0; i < edits.size(); i++) {
      ObjectNode t = good.deepCopy();
      edits.get(i).accept(t);
      KeyringSecrets.writeTree(file, t);
      CorruptKeyringException e = expect(CorruptKeyringException.class, () -> LocalKeyring.open(file));
      assertTrue(e.getMessage().endsWith(details.get(i)), e.getMessage());
    }
    KeyringSecrets.writeTree(file, good);
    keyring = LocalKeyring.open(file);
  }
}
