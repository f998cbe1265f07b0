package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.kms.testserver.TestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AwsKms#generateMac} and {@link AwsKms#verifyMac} with the real SDK client against {@link KmsTestServer}. */
class AwsKmsMacTest {
  static final String ADMIN = "AKIDTESTADMIN";
  static final String WRITER = "AKIDTESTMANIFESTWRITER";
  static final String READER = "AKIDTESTMANIFESTREADER";
  static final byte[] MESSAGE = "commit 00000000000000000003 sha256 9f86d0".getBytes(StandardCharsets.UTF_8);

  static KmsTestServer server;
  static KeyService admin;
  final List<KeyService> opened = new ArrayList<>();
  String hmacArn;

  @BeforeAll
  static void startServer() {
    server = KmsTestServer.start();
    admin = open(ADMIN);
  }

  @AfterAll
  static void stopServer() {
    admin.close();
    server.close();
  }

  @BeforeEach
  void freshKey() {
    server.faults().clear();
    server.permissions().clear();
    hmacArn = server.createHmacKey("manifest MAC key");
    server.log().clear();
  }

  @AfterEach
  void closeOpened() {
    opened.forEach(KeyService::close);
  }

  static KeyService open(String principal) {
    return AwsKeyServices.open(server.spec(), AwsKmsOptions.builder()
        .credentials(TestClients.credentials(principal))
        .maxAttempts(2)
        .backoff(Duration.ofMillis(2), Duration.ofMillis(20))
        .attemptTimeout(Duration.ofSeconds(2))
        .apiCallTimeout(Duration.ofSeconds(5))
        .build());
  }

  KeyService as(String principal) {
    KeyService k = open(principal);
    opened.add(k);
    return k;
  }

  @Test
  void generateMacNamesTheKeyArnAndVerifies() {
    String alias = "alias/manifest-mac-" + System.nanoTime();
    server.createAlias(alias, hmacArn);
    GeneratedMac m = admin.generateMac(alias, MESSAGE);
    assertEquals(hmacArn, m.keyArn());
    assertEquals(32, m.mac().length);
    assertTrue(admin.verifyMac(m.keyArn(), MESSAGE, m.mac()));
    assertTrue(admin.verifyMac(alias, MESSAGE, m.mac()));
    List<LoggedRequest> log = server.log().entries();
    assertEquals(List.of("GenerateMac", "VerifyMac", "VerifyMac"), log.stream().map(LoggedRequest::operation).toList());
    assertEquals(List.of(alias, hmacArn, alias), log.stream().map(LoggedRequest::keyId).toList());
  }

  @Test
  void aFlippedMacAnotherMessageOrAnotherKeyIsFalseNotAnError() {
    GeneratedMac m = admin.generateMac(hmacArn, MESSAGE);
    for (int i = 0; i < GeneratedMac.LENGTH; i++) {
      byte[] flipped = m.mac();
      flipped[i] ^= (byte) 0x80;
      assertFalse(admin.verifyMac(hmacArn, MESSAGE, flipped), "byte " + i);
    }
    byte[] other = MESSAGE.clone();
    other[other.length - 1] ^= 1;
    assertFalse(admin.verifyMac(hmacArn, other, m.mac()));
    assertFalse(admin.verifyMac(server.createHmacKey("other"), MESSAGE, m.mac()));
    assertFalse(admin.verifyMac(hmacArn, MESSAGE, new byte[] {1, 2, 3}));
    assertTrue(admin.verifyMac(hmacArn, MESSAGE, m.mac()));
  }

  @Test
  void keyUsageIsInvalidKeyUsageBothWays() {
    String aes = server.createKey("aes");
    InvalidKeyUsageException mac = assertThrows(InvalidKeyUsageException.class, () -> admin.generateMac(aes, MESSAGE));
    assertTrue(mac.getMessage().startsWith("GenerateMac on key " + aes + ": KMS answered InvalidKeyUsageException (HTTP 400"),
        mac.getMessage());
    assertThrows(InvalidKeyUsageException.class, () -> admin.verifyMac(aes, MESSAGE, new byte[32]));
    DekId dek = DekId.fromLong(7);
    assertThrows(InvalidKeyUsageException.class,
        () -> admin.generateDataKey(hmacArn, dek, EncryptionContext.forDek("cards", dek.hex(), Map.of())));
  }

  @Test
  void aDisabledOrUnknownKeyThrowsRatherThanAnsweringFalse() {
    GeneratedMac m = admin.generateMac(hmacArn, MESSAGE);
    server.disable(hmacArn);
    assertThrows(KeyDisabledException.class, () -> admin.verifyMac(hmacArn, MESSAGE, m.mac()));
    assertThrows(KeyDisabledException.class, () -> admin.generateMac(hmacArn, MESSAGE));
    server.enable(hmacArn);
    assertThrows(KeyNotFoundException.class, () -> admin.verifyMac("alias/no-such-mac-key", MESSAGE, m.mac()));
    assertThrows(KmsRequestRejectedException.class, () -> admin.generateMac(hmacArn, new byte[0]));
  }

  @Test
  void aReaderWithoutVerifyMacIsAccessDenied() {
    server.permissions().restrict(WRITER, "kms:GenerateMac");
    server.permissions().restrict(READER, "kms:Decrypt");
    GeneratedMac m = as(WRITER).generateMac(hmacArn, MESSAGE);
    KmsAccessDeniedException e = assertThrows(KmsAccessDeniedException.class,
        () -> as(READER).verifyMac(hmacArn, MESSAGE, m.mac()));
    assertTrue(e.getMessage().contains("kms:VerifyMac"), e.getMessage());
    assertThrows(KmsAccessDeniedException.class, () -> as(WRITER).verifyMac(hmacArn, MESSAGE, m.mac()));
    server.permissions().restrict(READER, "kms:VerifyMac");
    assertTrue(as(READER).verifyMac(hmacArn, MESSAGE, m.mac()));
  }

  @Test
  void anAnswerNamingAnotherKeyIsKeyMismatch() {
    GeneratedMac m = admin.generateMac(hmacArn, MESSAGE);
    String other = server.createHmacKey("other");
    server.faults().answerWithKeyId(other);
    KeyMismatchException g = assertThrows(KeyMismatchException.class, () -> admin.generateMac(hmacArn, MESSAGE));
    assertEquals("GenerateMac on key " + hmacArn + ": KMS answered with key " + other + " but " + hmacArn
        + " was asked for", g.getMessage());
    KeyMismatchException v = assertThrows(KeyMismatchException.class, () -> admin.verifyMac(hmacArn, MESSAGE, m.mac()));
    assertTrue(v.getMessage().contains(other) && v.getMessage().contains(hmacArn), v.getMessage());
  }
}
