package io.columnseal.kms.testserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GenerateMacResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;
import software.amazon.awssdk.services.kms.model.VerifyMacResponse;

/** HMAC keys, GenerateMac and VerifyMac on the test server, through a plain SDK client. */
class KmsTestServerMacTest {
  static final String ADMIN = "AKIDTESTADMIN";
  static final String VERIFIER = "AKIDTESTVERIFIER";
  static final SdkBytes MESSAGE = SdkBytes.fromString("manifest commit 00000000000000000007", StandardCharsets.UTF_8);

  static KmsTestServer server;
  static KmsClient kms;
  String hmacArn;

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
  void freshKey() {
    server.faults().clear();
    server.permissions().clear();
    hmacArn = server.createHmacKey("manifest MAC key");
    server.log().clear();
  }

  private GenerateMacResponse mac(String keyId, SdkBytes message) {
    return kms.generateMac(b -> b.keyId(keyId).message(message).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256));
  }

  private VerifyMacResponse verify(KmsClient client, String keyId, SdkBytes message, SdkBytes mac) {
    return client.verifyMac(b -> b.keyId(keyId).message(message).mac(mac).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256));
  }

  @Test
  void createKeyMakesAnHmacKeyWithMacMetadata() {
    KeyMetadata m = kms.createKey(b -> b.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC)
        .description("hmac")).keyMetadata();
    assertEquals(KeySpec.HMAC_256, m.keySpec());
    assertEquals(KeyUsageType.GENERATE_VERIFY_MAC, m.keyUsage());
    assertEquals(List.of(MacAlgorithmSpec.HMAC_SHA_256), m.macAlgorithms());
    assertTrue(m.encryptionAlgorithms().isEmpty());
    assertEquals(m, kms.describeKey(b -> b.keyId(m.arn())).keyMetadata());
    // KMS wants the usage spelled out for an HMAC key, and no MAC usage on an AES key.
    AwsServiceException noUsage = assertThrows(AwsServiceException.class, () -> kms.createKey(b -> b.keySpec(KeySpec.HMAC_256)));
    assertEquals("ValidationException", noUsage.awsErrorDetails().errorCode());
    AwsServiceException aesMac = assertThrows(AwsServiceException.class,
        () -> kms.createKey(b -> b.keyUsage(KeyUsageType.GENERATE_VERIFY_MAC)));
    assertEquals("ValidationException", aesMac.awsErrorDetails().errorCode());
  }

  @Test
  void generateMacAnswersA32ByteTagThatVerifiesUnderEveryKeyForm() {
    server.createAlias("alias/manifest-mac", hmacArn);
    GenerateMacResponse r = mac("alias/manifest-mac", MESSAGE);
    assertEquals(hmacArn, r.keyId());
    assertEquals(MacAlgorithmSpec.HMAC_SHA_256, r.macAlgorithm());
    assertEquals(32, r.mac().asByteArray().length);
    assertEquals(r.mac(), mac(hmacArn, MESSAGE).mac(), "HMAC is deterministic");
    String keyId = hmacArn.substring(hmacArn.indexOf("key/") + 4);
    for (String form : List.of(hmacArn, keyId, "alias/manifest-mac", "arn:aws:kms:us-east-1:111122223333:alias/manifest-mac")) {
      VerifyMacResponse v = verify(kms, form, MESSAGE, r.mac());
      assertEquals(Boolean.TRUE, v.macValid());
      assertEquals(hmacArn, v.keyId());
      assertEquals(MacAlgorithmSpec.HMAC_SHA_256, v.macAlgorithm());
    }
    assertEquals(List.of("GenerateMac", "GenerateMac", "VerifyMac", "VerifyMac", "VerifyMac", "VerifyMac"),
        server.log().entries().stream().map(LoggedRequest::operation).toList());
  }

  @Test
  void aMacThatDoesNotMatchIsKmsInvalidMacException() {
    SdkBytes good = mac(hmacArn, MESSAGE).mac();
    byte[] flipped = good.asByteArray();
    flipped[31] ^= 0x01;
    String other = server.createHmacKey("other");
    List<Runnable> mismatches = List.of(
        () -> verify(kms, hmacArn, MESSAGE, SdkBytes.fromByteArray(flipped)),
        () -> verify(kms, hmacArn, SdkBytes.fromUtf8String("manifest commit 00000000000000000008"), good),
        () -> verify(kms, other, MESSAGE, good),
        () -> verify(kms, hmacArn, MESSAGE, SdkBytes.fromByteArray(java.util.Arrays.copyOf(good.asByteArray(), 16))));
    for (Runnable m : mismatches) {
      KmsInvalidMacException e = assertThrows(KmsInvalidMacException.class, m::run);
      assertEquals(400, e.statusCode());
      assertEquals("KMSInvalidMacException", e.awsErrorDetails().errorCode());
    }
  }

  @Test
  void keyUsageIsEnforcedBothWays() {
    String aes = server.createKey("aes");
    InvalidKeyUsageException macWithAes = assertThrows(InvalidKeyUsageException.class, () -> mac(aes, MESSAGE));
    assertEquals(aes + " key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.",
        macWithAes.awsErrorDetails().errorMessage());
    assertThrows(InvalidKeyUsageException.class, () -> verify(kms, aes, MESSAGE, SdkBytes.fromByteArray(new byte[32])));
    InvalidKeyUsageException dekWithHmac = assertThrows(InvalidKeyUsageException.class,
        () -> kms.generateDataKey(b -> b.keyId(hmacArn).keySpec(DataKeySpec.AES_256)));
    assertEquals(hmacArn + " key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKey.",
        dekWithHmac.awsErrorDetails().errorMessage());
    SdkBytes blob = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(aes).keySpec(DataKeySpec.AES_256)).ciphertextBlob();
    assertThrows(InvalidKeyUsageException.class, () -> kms.reEncrypt(b -> b.ciphertextBlob(blob).destinationKeyId(hmacArn)));
    assertThrows(InvalidKeyUsageException.class,
        () -> kms.encrypt(b -> b.keyId(hmacArn).plaintext(SdkBytes.fromUtf8String("x"))));
    InvalidKeyUsageException sha512 = assertThrows(InvalidKeyUsageException.class,
        () -> kms.generateMac(b -> b.keyId(hmacArn).message(MESSAGE).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512)));
    assertEquals("Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", sha512.awsErrorDetails().errorMessage());
  }

  @Test
  void hmacKeysDoNotRotateButDisableAndEnable() {
    assertThrows(UnsupportedOperationException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(hmacArn)));
    assertThrows(UnsupportedOperationException.class, () -> kms.enableKeyRotation(b -> b.keyId(hmacArn)));
    SdkBytes tag = mac(hmacArn, MESSAGE).mac();
    kms.disableKey(b -> b.keyId(hmacArn));
    assertThrows(DisabledException.class, () -> mac(hmacArn, MESSAGE));
    assertThrows(DisabledException.class, () -> verify(kms, hmacArn, MESSAGE, tag));
    kms.enableKey(b -> b.keyId(hmacArn));
    assertEquals(Boolean.TRUE, verify(kms, hmacArn, MESSAGE, tag).macValid());
  }

  @Test
  void aPrincipalWithoutVerifyMacIsDenied() {
    SdkBytes tag = mac(hmacArn, MESSAGE).mac();
    server.permissions().restrict(VERIFIER, "kms:GenerateMac");
    try (KmsClient verifier = TestClients.rawClient(server, VERIFIER)) {
      AwsServiceException denied = assertThrows(AwsServiceException.class, () -> verify(verifier, hmacArn, MESSAGE, tag));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertTrue(denied.awsErrorDetails().errorMessage().contains("kms:VerifyMac"), denied.awsErrorDetails().errorMessage());
      server.permissions().restrict(VERIFIER, "kms:VerifyMac");
      assertEquals(Boolean.TRUE, verify(verifier, hmacArn, MESSAGE, tag).macValid());
      AwsServiceException noGenerate = assertThrows(AwsServiceException.class,
          () -> verifier.generateMac(b -> b.keyId(hmacArn).message(MESSAGE).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)));
      assertTrue(noGenerate.awsErrorDetails().errorMessage().contains("kms:GenerateMac"));
    }
  }

  @Test
  void errorsHaveKmsJsonShape() throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.endpoint())
        .header("X-Amz-Target", "TrentService.VerifyMac")
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTESTRAW/20260101/us-east-1/kms/aws4_request, "
            + "SignedHeaders=host, Signature=00")
        .POST(HttpRequest.BodyPublishers.ofString("{\"KeyId\":\"" + hmacArn + "\",\"Message\":\"bWFuaWZlc3Q=\","
            + "\"Mac\":\"AAAA\",\"MacAlgorithm\":\"HMAC_SHA_256\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode());
    assertEquals("{\"__type\":\"KMSInvalidMacException\"}", r.body());
    assertEquals("application/x-amz-json-1.1", r.headers().firstValue("Content-Type").orElse(null));
    assertEquals("KMSInvalidMacException", server.log().of("VerifyMac").get(0).outcome());
  }
}
