package io.columnseal.kms.testserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyWithoutPlaintextResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

/** The test server's KMS semantics, seen through a plain SDK client without retries. */
class KmsTestServerTest {
  static final String ADMIN = "AKIDTESTADMIN";
  static final String ARN_PATTERN = "arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}";

  static KmsTestServer server;
  static KmsClient kms;

  @BeforeAll
  static void start() {
    server = KmsTestServer.start();
    kms = TestClients.rawClient(server, ADMIN);
  }

  @AfterAll
  static void stop() {
    kms.close();
    server.close();
  }

  @BeforeEach
  void reset() {
    server.faults().clear();
    server.permissions().clear();
    server.log().clear();
  }

  @Test
  void bindsTheLoopbackAddressOnly() {
    assertEquals("127.0.0.1", server.endpoint().getHost());
    assertTrue(server.endpoint().getPort() > 0);
  }

  @Test
  void createKeyAnswersAnArnAndDescribeKeyTakesEveryFormOfKeyId() {
    KeyMetadata created = kms.createKey(b -> b.description("orders")).keyMetadata();
    assertTrue(created.arn().matches(ARN_PATTERN), created.arn());
    assertEquals(created.arn(), "arn:aws:kms:us-east-1:111122223333:key/" + created.keyId());
    assertEquals(KeyState.ENABLED, created.keyState());
    assertEquals("111122223333", created.awsAccountId());
    assertNotNull(created.creationDate());

    String alias = "alias/orders-" + UUID.randomUUID();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(created.keyId()));
    for (String id : new String[] {created.keyId(), created.arn(), alias,
        "arn:aws:kms:us-east-1:111122223333:" + alias}) {
      assertEquals(created.arn(), kms.describeKey(b -> b.keyId(id)).keyMetadata().arn(), id);
    }
    assertThrows(AlreadyExistsException.class, () -> kms.createAlias(b -> b.aliasName(alias).targetKeyId(created.arn())));
    assertThrows(NotFoundException.class,
        () -> kms.describeKey(b -> b.keyId("arn:aws:kms:eu-west-1:111122223333:key/" + created.keyId())));
  }

  @Test
  void encryptAndDecryptWithoutKeyIdFindTheKeyFromTheBlob() {
    String arn = server.createKey("blob");
    byte[] secret = "not a real secret".getBytes(StandardCharsets.UTF_8);
    Map<String, String> ctx = Map.of("purpose", "test");
    EncryptResponse e = kms.encrypt(b -> b.keyId(arn).plaintext(SdkBytes.fromByteArray(secret)).encryptionContext(ctx));
    assertEquals(arn, e.keyId());
    DecryptResponse d = kms.decrypt(b -> b.ciphertextBlob(e.ciphertextBlob()).encryptionContext(ctx));
    assertEquals(arn, d.keyId());
    assertArrayEquals(secret, d.plaintext().asByteArray());
    assertThrows(InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(e.ciphertextBlob()).encryptionContext(Map.of("purpose", "other"))));
    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(e.ciphertextBlob())));
  }

  @Test
  void dataKeysWithoutPlaintextDecryptToTheRequestedLength() {
    String arn = server.createKey("dk");
    GenerateDataKeyWithoutPlaintextResponse g = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn)
        .keySpec(DataKeySpec.AES_256));
    assertEquals(arn, g.keyId());
    assertEquals(32, kms.decrypt(b -> b.ciphertextBlob(g.ciphertextBlob()).keyId(arn)).plaintext().asByteArray().length);
    assertEquals(16, kms.generateDataKey(b -> b.keyId(arn).keySpec(DataKeySpec.AES_128)).plaintext().asByteArray().length);
    assertEquals(7, kms.generateDataKey(b -> b.keyId(arn).numberOfBytes(7)).plaintext().asByteArray().length);
    AwsServiceException both = assertThrows(AwsServiceException.class,
        () -> kms.generateDataKey(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256).numberOfBytes(32)));
    assertEquals("ValidationException", both.awsErrorDetails().errorCode());
  }

  @Test
  void everyChangedByteOfABlobFailsAuthentication() {
    String arn = server.createKey("tamper");
    SdkBytes blob = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();
    byte[] original = blob.asByteArray();
    for (int i = 0; i < original.length; i++) {
      byte[] changed = original.clone();
      changed[i] ^= 0x40;
      SdkBytes bad = SdkBytes.fromByteArray(changed);
      assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(bad)), "byte " + i);
    }
  }

  @Test
  void errorsCarryKmsTypesStatusesAndRequestIds() {
    String arn = server.createKey("errors");
    String other = server.createKey("other");
    SdkBytes blob = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();

    NotFoundException nf = assertThrows(NotFoundException.class,
        () -> kms.describeKey(b -> b.keyId(UUID.randomUUID().toString())));
    assertEquals(400, nf.statusCode());
    assertNotNull(nf.requestId());
    IncorrectKeyException ik = assertThrows(IncorrectKeyException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(blob).keyId(other)));
    assertEquals(400, ik.statusCode());

    server.faults().throttleNext(1);
    AwsServiceException throttled = assertThrows(AwsServiceException.class, () -> kms.describeKey(b -> b.keyId(arn)));
    assertEquals("ThrottlingException", throttled.awsErrorDetails().errorCode());
    assertEquals(400, throttled.statusCode());
    assertTrue(throttled.isThrottlingException());

    server.faults().failNext(1);
    KmsInternalException internal = assertThrows(KmsInternalException.class, () -> kms.describeKey(b -> b.keyId(arn)));
    assertEquals(500, internal.statusCode());

    server.permissions().restrict(ADMIN, "kms:Decrypt");
    AwsServiceException denied = assertThrows(AwsServiceException.class, () -> kms.describeKey(b -> b.keyId(arn)));
    assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
    assertEquals(400, denied.statusCode());
    assertTrue(denied.awsErrorDetails().errorMessage().contains("kms:DescribeKey"));
    kms.decrypt(b -> b.ciphertextBlob(blob));
  }

  @Test
  void keyStatesFollowKms() {
    String arn = server.createKey("states");
    SdkBytes blob = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();

    kms.disableKey(b -> b.keyId(arn));
    assertEquals(KeyState.DISABLED, kms.describeKey(b -> b.keyId(arn)).keyMetadata().keyState());
    assertThrows(DisabledException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
    kms.enableKey(b -> b.keyId(arn));
    kms.decrypt(b -> b.ciphertextBlob(blob));

    ScheduleKeyDeletionResponse s = kms.scheduleKeyDeletion(b -> b.keyId(arn).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_DELETION, s.keyState());
    assertEquals(7, s.pendingWindowInDays());
    KmsInvalidStateException pending = assertThrows(KmsInvalidStateException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
    assertEquals("KMSInvalidStateException", pending.awsErrorDetails().errorCode());
    assertThrows(KmsInvalidStateException.class, () -> kms.enableKey(b -> b.keyId(arn)));
    kms.cancelKeyDeletion(b -> b.keyId(arn));
    assertEquals(KeyState.DISABLED, kms.describeKey(b -> b.keyId(arn)).keyMetadata().keyState());
  }

  @Test
  void administrativeOperationsTakeKeyIdsNotAliases() {
    String arn = server.createKey("admin");
    String alias = "alias/admin-" + UUID.randomUUID();
    server.createAlias(alias, arn);
    assertThrows(NotFoundException.class, () -> kms.disableKey(b -> b.keyId(alias)));
    assertThrows(NotFoundException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(alias)));
  }

  @Test
  void rotationKeepsOldVersionsDecrypting() {
    String arn = server.createKey("rotation");
    SdkBytes v1 = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();
    kms.rotateKeyOnDemand(b -> b.keyId(arn));
    SdkBytes v2 = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();
    assertEquals(1, server.blobKeyVersion(v1.asByteArray()));
    assertEquals(2, server.blobKeyVersion(v2.asByteArray()));
    kms.decrypt(b -> b.ciphertextBlob(v1));
    kms.decrypt(b -> b.ciphertextBlob(v2));
  }

  @Test
  void theLogRecordsPrincipalOperationKeyAndContext() {
    String arn = server.createKey("log");
    kms.generateDataKey(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256).encryptionContext(Map.of("k", "v")));
    LoggedRequest r = server.log().entries().get(0);
    assertEquals(new LoggedRequest("GenerateDataKey", ADMIN, arn, null, Map.of("k", "v"), Map.of(), arn, 200,
        LoggedRequest.OK), r);
  }

  @Test
  void unsignedAndUnknownRequestsAreRefused() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(server.endpoint())
        .header("X-Amz-Target", "TrentService.DescribeKey")
        .header("Content-Type", "application/x-amz-json-1.1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"KeyId\":\"alias/x\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, unsigned.statusCode());
    assertTrue(unsigned.body().contains("MissingAuthenticationTokenException"), unsigned.body());

    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(server.endpoint())
        .header("X-Amz-Target", "TrentService.Sign")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTESTRAW/20260101/us-east-1/kms/aws4_request, "
            + "SignedHeaders=host, Signature=00")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("UnknownOperationException"), unknown.body());
    assertEquals("AKIDTESTRAW", server.log().of("Sign").get(0).accessKeyId());
    assertFalse(server.log().of("Sign").get(0).ok());
  }
}
