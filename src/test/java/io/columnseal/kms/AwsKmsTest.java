package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.kms.testserver.TestClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/** {@link AwsKms} with the real SDK client against {@link KmsTestServer}: semantics and error mapping. */
class AwsKmsTest {
  static final String ENCRYPTOR = "AKIDTESTENCRYPTOR";
  static final String DECRYPTOR = "AKIDTESTDECRYPTOR";
  static final String REWRAPPER = "AKIDTESTREWRAPPER";
  static final String ADMIN = "AKIDTESTADMIN";

  static KmsTestServer server;
  static KeyService admin;

  final DekId dek = DekId.fromLong(0x0123456789abcdefL);
  final EncryptionContext context = EncryptionContext.forDek("cards", dek.hex(), Map.of("env", "test"));
  final List<KeyService> opened = new ArrayList<>();
  String keyArn;

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
    keyArn = server.createKey("cards master key");
    server.log().clear();
  }

  @AfterEach
  void closeOpened() {
    opened.forEach(KeyService::close);
  }

  static KeyService open(String principal) {
    return AwsKeyServices.open(server.spec(), AwsKmsOptions.builder()
        .credentials(TestClients.credentials(principal))
        .maxAttempts(3)
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
  void generateThenDecryptRoundTripsWithTheContextOnEveryCall() {
    GeneratedDataKey g = admin.generateDataKey(keyArn, dek, context);
    try (SealingKey plain = g.plaintext(); OpeningKey back = admin.decrypt(g.wrapped(), dek, context)) {
      assertEquals(keyArn, g.wrapped().keyArn());
      assertEquals(dek, plain.id());
      assertTrue(back.sameKeyAs(plain));
    }
    List<LoggedRequest> log = server.log().entries();
    assertEquals(List.of("GenerateDataKey", "Decrypt"), log.stream().map(LoggedRequest::operation).toList());
    Map<String, String> expected = Map.of("columnseal:dataset", "cards", "columnseal:dek", dek.hex(), "env", "test");
    for (LoggedRequest r : log) {
      assertEquals(ADMIN, r.accessKeyId());
      assertEquals(keyArn, r.keyId());
      assertEquals(keyArn, r.keyArn());
      assertEquals(expected, r.context());
      assertTrue(r.ok(), r.outcome());
    }
  }

  @Test
  void generateUnderAnAliasRecordsTheKeyArnKmsAnswered() {
    String alias = "alias/cards-" + UUID.randomUUID();
    server.createAlias(alias, keyArn);
    GeneratedDataKey g = admin.generateDataKey(alias, dek, context);
    g.plaintext().destroy();
    assertEquals(keyArn, g.wrapped().keyArn());
    assertEquals(alias, server.log().of("GenerateDataKey").get(0).keyId());
    admin.decrypt(g.wrapped(), dek, context).destroy();
    assertEquals(keyArn, server.log().of("Decrypt").get(0).keyId());
  }

  @Test
  void describeKeyResolvesAnAliasToTheKeyArnAndState() {
    String alias = "alias/describe-" + UUID.randomUUID();
    server.createAlias(alias, keyArn);
    KeyDescription d = admin.describeKey(alias);
    assertEquals(keyArn, d.keyArn());
    assertEquals(KeyState.ENABLED, d.state());
    server.disable(keyArn);
    assertEquals(KeyState.DISABLED, admin.describeKey(alias).state());
    assertEquals(keyArn, admin.describeKey(keyArn.substring(keyArn.indexOf("key/") + 4)).keyArn());
  }

  @Test
  void decryptWithAnotherContextIsInvalidCiphertext() {
    WrappedKey w = wrapped();
    EncryptionContext other = EncryptionContext.forDek("loans", dek.hex(), Map.of("env", "test"));
    InvalidCiphertextException e = assertThrows(InvalidCiphertextException.class, () -> admin.decrypt(w, dek, other));
    assertTrue(e.getMessage().contains("InvalidCiphertextException"), e.getMessage());
    assertEquals("Decrypt", e.operation());
    assertEquals(keyArn, e.keyId());
    assertEquals(Map.of("columnseal:dataset", "loans", "columnseal:dek", dek.hex(), "env", "test"),
        server.log().of("Decrypt").get(0).context());
  }

  @Test
  void decryptOfAnAlteredBlobIsInvalidCiphertext() {
    WrappedKey w = wrapped();
    byte[] blob = w.blob();
    blob[blob.length - 20] ^= 1;
    WrappedKey altered = new WrappedKey(keyArn, blob);
    assertThrows(InvalidCiphertextException.class, () -> admin.decrypt(altered, dek, context));
  }

  @Test
  void decryptNamingAnotherKeyIsRefusedByKms() {
    WrappedKey w = wrapped();
    String other = server.createKey("other");
    WrappedKey misfiled = new WrappedKey(other, w.blob());
    InvalidCiphertextException e = assertThrows(InvalidCiphertextException.class,
        () -> admin.decrypt(misfiled, dek, context));
    assertTrue(e.getMessage().contains("IncorrectKeyException"), e.getMessage());
    LoggedRequest r = server.log().of("Decrypt").get(0);
    assertEquals(other, r.keyId());
    assertEquals("IncorrectKeyException", r.outcome());
  }

  @Test
  void decryptAnsweredForAnotherKeyIsKeyMismatch() {
    WrappedKey w = wrapped();
    String other = server.createKey("other");
    server.faults().answerWithKeyId(other);
    KeyMismatchException e = assertThrows(KeyMismatchException.class, () -> admin.decrypt(w, dek, context));
    assertTrue(e.getMessage().contains(keyArn) && e.getMessage().contains(other), e.getMessage());
    assertTrue(e.getMessage().contains(dek.hex()), e.getMessage());
  }

  @Test
  void generateAnsweredForAnotherKeyIsKeyMismatchNamingBothArns() {
    String other = server.createKey("other");
    server.faults().answerWithKeyId(other);
    KeyMismatchException e = assertThrows(KeyMismatchException.class, () -> admin.generateDataKey(keyArn, dek, context));
    assertEquals("GenerateDataKey on key " + keyArn + ": DEK " + dek.hex() + ": KMS answered with key " + other
        + " but " + keyArn + " was asked for", e.getMessage());
    String keyId = keyArn.substring(keyArn.indexOf("key/") + 4);
    e = assertThrows(KeyMismatchException.class, () -> admin.generateDataKey(keyId, dek, context));
    assertEquals("GenerateDataKey on key " + keyId + ": DEK " + dek.hex() + ": KMS answered with key " + other
        + " but key id " + keyId + " was asked for", e.getMessage());
    server.faults().answerWithKeyId("not-an-arn");
    e = assertThrows(KeyMismatchException.class, () -> admin.generateDataKey(keyArn, dek, context));
    assertTrue(e.getMessage().endsWith("KMS answered without a key ARN (got 10 characters)"), e.getMessage());
  }

  @Test
  void reEncryptAnsweredForAnotherDestinationIsKeyMismatch() {
    WrappedKey w = wrapped();
    String next = server.createKey("next");
    String other = server.createKey("other");
    server.faults().answerWithKeyId(other);
    KeyMismatchException e = assertThrows(KeyMismatchException.class, () -> admin.reEncrypt(w, context, next));
    assertEquals("ReEncrypt on key " + next + ": DEK " + dek.hex() + ": KMS answered with key " + other
        + " but " + next + " was asked for", e.getMessage());
  }

  @Test
  void reEncryptAnsweredFromAnotherSourceIsKeyMismatch() {
    WrappedKey w = wrapped();
    String next = server.createKey("next");
    String other = server.createKey("other");
    server.faults().answerWithSourceKeyId(other);
    KeyMismatchException e = assertThrows(KeyMismatchException.class, () -> admin.reEncrypt(w, context, next));
    assertEquals("ReEncrypt on key " + keyArn + ": DEK " + dek.hex() + ": KMS says the source key was " + other
        + " but the manifest says " + keyArn, e.getMessage());
  }

  @Test
  void aMalformedKeyReferenceIsRefusedUnquotedBeforeAnyKmsCall() {
    String pasted = "AKIDTESTNOTAKEY/wJalrXUtnFEMI+K7MDENGbPxRfiCYzEXAMPLE"; // a secret pasted in the wrong field
    List<KmsRequestRejectedException> failures = List.of(
        assertThrows(KmsRequestRejectedException.class, () -> admin.generateDataKey(pasted, dek, context)),
        assertThrows(KmsRequestRejectedException.class, () -> admin.describeKey(pasted)),
        assertThrows(KmsRequestRejectedException.class, () -> admin.reEncrypt(wrapped(), context, pasted)),
        assertThrows(KmsRequestRejectedException.class,
            () -> admin.decrypt(new WrappedKey(pasted, new byte[] {1}), dek, context)));
    assertEquals("GenerateDataKey on key (invalid key reference): the key is not a key id, key ARN, alias name or alias ARN"
        + " (" + pasted.length() + " characters)", failures.get(0).getMessage());
    assertEquals("Decrypt on key (invalid key reference): DEK " + dek.hex() + ": the wrapped key names no key ARN ("
        + pasted.length() + " characters)", failures.get(3).getMessage());
    for (KmsException f : failures) {
      assertFalse(f.getMessage().contains("wJalr") || f.keyId().contains("wJalr"), f.getMessage());
    }
    assertEquals(List.of(), server.log().entries(), "no malformed reference reached KMS");
  }

  @Test
  void disabledKeyIsKeyDisabledForGenerateAndDecrypt() {
    WrappedKey w = wrapped();
    server.disable(keyArn);
    KeyDisabledException g = assertThrows(KeyDisabledException.class, () -> admin.generateDataKey(keyArn, dek, context));
    assertTrue(g.getMessage().contains("DisabledException"), g.getMessage());
    assertThrows(KeyDisabledException.class, () -> admin.decrypt(w, dek, context));
    server.enable(keyArn);
    admin.decrypt(w, dek, context).destroy();
  }

  @Test
  void keyPendingDeletionIsKeyDisabled() {
    WrappedKey w = wrapped();
    server.scheduleDeletion(keyArn);
    KeyDisabledException e = assertThrows(KeyDisabledException.class, () -> admin.decrypt(w, dek, context));
    assertTrue(e.getMessage().contains("KMSInvalidStateException"), e.getMessage());
    assertEquals(KeyState.PENDING_DELETION, admin.describeKey(keyArn).state());
  }

  @Test
  void unknownKeyOrAliasIsKeyNotFound() {
    String unknown = "arn:aws:kms:us-east-1:111122223333:key/" + UUID.randomUUID();
    KeyNotFoundException e = assertThrows(KeyNotFoundException.class, () -> admin.generateDataKey(unknown, dek, context));
    assertEquals(unknown, e.keyId());
    assertTrue(e.getMessage().contains("NotFoundException") && e.getMessage().contains("request id"), e.getMessage());
    assertThrows(KeyNotFoundException.class, () -> admin.describeKey("alias/no-such-alias"));
  }

  @Test
  void anEncryptorWithoutDecryptCanGenerateButNotDecrypt() {
    server.permissions().restrict(ENCRYPTOR, "kms:GenerateDataKey", "kms:DescribeKey");
    server.permissions().restrict(DECRYPTOR, "kms:Decrypt");
    KeyService encryptor = as(ENCRYPTOR);
    KeyService decryptor = as(DECRYPTOR);

    GeneratedDataKey g = encryptor.generateDataKey(keyArn, dek, context);
    g.plaintext().destroy();
    assertEquals(keyArn, encryptor.describeKey(keyArn).keyArn());
    KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
        () -> encryptor.decrypt(g.wrapped(), dek, context));
    assertTrue(denied.getMessage().contains("kms:Decrypt"), denied.getMessage());

    decryptor.decrypt(g.wrapped(), dek, context).destroy();
    assertThrows(KmsAccessDeniedException.class, () -> decryptor.generateDataKey(keyArn, dek, context));

    List<LoggedRequest> decrypts = server.log().of("Decrypt");
    assertEquals(List.of(ENCRYPTOR, DECRYPTOR), decrypts.stream().map(LoggedRequest::accessKeyId).toList());
    assertEquals(List.of("AccessDeniedException", LoggedRequest.OK),
        decrypts.stream().map(LoggedRequest::outcome).toList());
  }

  @Test
  void aRewrapperNeedsOnlyReEncryptAndCannotDecrypt() {
    server.permissions().restrict(REWRAPPER, "kms:ReEncrypt*");
    KeyService rewrapper = as(REWRAPPER);
    WrappedKey w = wrapped();
    String next = server.createKey("next");
    WrappedKey moved = rewrapper.reEncrypt(w, context, next);
    assertEquals(next, moved.keyArn());
    assertThrows(KmsAccessDeniedException.class, () -> rewrapper.decrypt(moved, dek, context));
  }

  @Test
  void rotationThenReEncryptToTheSameKeyMovesTheBlobToTheNewestVersion() {
    GeneratedDataKey g = admin.generateDataKey(keyArn, dek, context);
    WrappedKey v1 = g.wrapped();
    assertEquals(1, server.blobKeyVersion(v1.blob()));
    try (KmsClient raw = TestClients.rawClient(server, ADMIN)) {
      raw.enableKeyRotation(b -> b.keyId(keyArn));
      assertEquals(keyArn, raw.rotateKeyOnDemand(b -> b.keyId(keyArn)).keyId());
    }
    assertEquals(2, server.keyVersions(keyArn));

    WrappedKey v2 = admin.reEncrypt(v1, context, keyArn);
    assertEquals(keyArn, v2.keyArn());
    assertEquals(2, server.blobKeyVersion(v2.blob()));
    assertFalse(java.util.Arrays.equals(v1.blob(), v2.blob()));
    try (SealingKey plain = g.plaintext(); OpeningKey fromOld = admin.decrypt(v1, dek, context);
        OpeningKey fromNew = admin.decrypt(v2, dek, context)) {
      assertTrue(fromOld.sameKeyAs(plain));
      assertTrue(fromNew.sameKeyAs(plain));
    }
  }

  @Test
  void reEncryptToAnotherKeyKeepsTheContextAndNamesBothKeys() {
    GeneratedDataKey g = admin.generateDataKey(keyArn, dek, context);
    String next = server.createKey("next");
    String alias = "alias/next-" + UUID.randomUUID();
    server.createAlias(alias, next);
    server.log().clear();

    WrappedKey moved = admin.reEncrypt(g.wrapped(), context, alias);
    assertEquals(next, moved.keyArn());
    assertEquals(next, server.blobKeyArn(moved.blob()));
    LoggedRequest r = server.log().of("ReEncrypt").get(0);
    assertEquals(keyArn, r.keyId());
    assertEquals(alias, r.destinationKeyId());
    assertEquals(context.asMap(), r.context());
    assertEquals(context.asMap(), r.destinationContext());

    try (SealingKey plain = g.plaintext(); OpeningKey back = admin.decrypt(moved, dek, context)) {
      assertTrue(back.sameKeyAs(plain));
    }
    // The blob now belongs to the new key: naming the old one is refused.
    assertThrows(InvalidCiphertextException.class, () -> admin.decrypt(new WrappedKey(keyArn, moved.blob()), dek, context));
  }

  @Test
  void reEncryptWithAnotherContextIsInvalidCiphertext() {
    WrappedKey w = wrapped();
    EncryptionContext other = EncryptionContext.forDek("cards", "ffffffffffffffff", Map.of());
    assertThrows(InvalidCiphertextException.class, () -> admin.reEncrypt(w, other, keyArn));
  }

  @Test
  void exceptionMessagesNeverCarryKeyBytes() {
    GeneratedDataKey g = admin.generateDataKey(keyArn, dek, context);
    byte[] key = g.plaintext().copyKeyBytes();
    List<String> secrets = List.of(HexFormat.of().formatHex(key), HexFormat.of().withUpperCase().formatHex(key),
        Base64.getEncoder().encodeToString(key));
    String other = server.createKey("other");
    List<Throwable> failures = new ArrayList<>();
    failures.add(assertThrows(InvalidCiphertextException.class,
        () -> admin.decrypt(g.wrapped(), dek, EncryptionContext.of(Map.of()))));
    failures.add(assertThrows(InvalidCiphertextException.class,
        () -> admin.decrypt(new WrappedKey(other, g.wrapped().blob()), dek, context)));
    server.faults().answerWithKeyId(other);
    failures.add(assertThrows(KeyMismatchException.class, () -> admin.decrypt(g.wrapped(), dek, context)));
    server.faults().clear();
    server.permissions().restrict(ENCRYPTOR, "kms:GenerateDataKey");
    failures.add(assertThrows(KmsAccessDeniedException.class, () -> as(ENCRYPTOR).decrypt(g.wrapped(), dek, context)));
    server.disable(keyArn);
    failures.add(assertThrows(KeyDisabledException.class, () -> admin.decrypt(g.wrapped(), dek, context)));

    for (Throwable f : failures) {
      for (Throwable t = f; t != null; t = t.getCause()) {
        for (String s : secrets) {
          assertFalse(String.valueOf(t.getMessage()).contains(s), "key bytes in: " + t);
          assertFalse(t.toString().contains(s), "key bytes in: " + t);
        }
      }
    }
    assertFalse(g.plaintext().toString().contains(secrets.get(0)));
    assertFalse(g.toString().contains(secrets.get(0)));
    java.util.Arrays.fill(key, (byte) 0);
    g.plaintext().destroy();
  }

  @Test
  void theClientIsBuiltOnTheFirstCallAndCloseEndsIt() {
    KeyService k = open(ADMIN);
    assertTrue(server.log().entries().isEmpty());
    k.describeKey(keyArn);
    assertEquals(1, server.log().entries().size());
    k.close();
    k.close();
    assertThrows(IllegalStateException.class, () -> k.describeKey(keyArn));
    assertEquals(1, server.log().entries().size());
  }

  @Test
  void eachDekGetsItsOwnKeyAndBlob() {
    GeneratedDataKey a = admin.generateDataKey(keyArn, dek, context);
    DekId dek2 = DekId.fromLong(42);
    GeneratedDataKey b = admin.generateDataKey(keyArn, dek2, EncryptionContext.forDek("cards", dek2.hex(), Map.of()));
    assertNotEquals(a.wrapped(), b.wrapped());
    byte[] ka = a.plaintext().copyKeyBytes();
    byte[] kb = b.plaintext().copyKeyBytes();
    assertFalse(java.util.Arrays.equals(ka, kb));
    assertTrue(admin.decrypt(a.wrapped(), dek, context).sameKeyAs(a.plaintext()));
  }

  private WrappedKey wrapped() {
    GeneratedDataKey g = admin.generateDataKey(keyArn, dek, context);
    g.plaintext().destroy();
    server.log().clear();
    return g.wrapped();
  }
}
