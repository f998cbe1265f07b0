package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.kms.testserver.KmsTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.retry.RetryMode;

/** The factory and the options, and the spec-only path with credentials from system properties. */
class AwsKeyServicesTest {

  @Test
  void openWithOnlyASpecTakesCredentialsFromTheDefaultChain() {
    // KeyServiceSpec holds no credentials: tests give the default chain fake ones through the
    // system properties it reads first, and restore them afterwards.
    String oldId = System.getProperty("aws.accessKeyId");
    String oldSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", "AKIDTESTSYSPROPS");
    System.setProperty("aws.secretAccessKey", KmsTestServer.TEST_SECRET);
    try (KmsTestServer server = KmsTestServer.start(); KeyService kms = AwsKeyServices.open(server.spec())) {
      String arn = server.createKey("spec only");
      assertEquals(arn, kms.describeKey(arn).keyArn());
      assertEquals("AKIDTESTSYSPROPS", server.log().entries().get(0).accessKeyId());
    } finally {
      restore("aws.accessKeyId", oldId);
      restore("aws.secretAccessKey", oldSecret);
    }
  }

  @Test
  void aProfileInTheSpecGivesCredentialsAndRegion(@TempDir Path dir) throws IOException {
    Path credentials = Files.writeString(dir.resolve("credentials"),
        "[columnseal-test]\naws_access_key_id = AKIDTESTPROFILE\naws_secret_access_key = " + KmsTestServer.TEST_SECRET + "\n");
    Path config = Files.writeString(dir.resolve("config"), "[profile columnseal-test]\nregion = us-east-1\n");
    String oldCredentials = System.getProperty("aws.sharedCredentialsFile");
    String oldConfig = System.getProperty("aws.configFile");
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.configFile", config.toString());
    try (KmsTestServer server = KmsTestServer.start();
        KeyService kms = AwsKeyServices.open(KeyServiceSpec.aws(null, server.endpoint().toString(), "columnseal-test"))) {
      String arn = server.createKey("profile");
      assertEquals(arn, kms.describeKey(arn).keyArn());
      assertEquals("AKIDTESTPROFILE", server.log().entries().get(0).accessKeyId());
    } finally {
      restore("aws.sharedCredentialsFile", oldCredentials);
      restore("aws.configFile", oldConfig);
    }
  }

  @Test
  void openRefusesALocalSpec() {
    assertThrows(IllegalArgumentException.class, () -> AwsKeyServices.open(KeyServiceSpec.local("/tmp/keyring.json")));
  }

  @Test
  void optionsAreCheckedWhenSet() {
    ConfigException attempts = assertThrows(ConfigException.class, () -> AwsKmsOptions.builder().maxAttempts(0));
    assertTrue(attempts.getMessage().contains("kms.maxAttempts"), attempts.getMessage());
    assertThrows(ConfigException.class, () -> AwsKmsOptions.builder().retryMode(RetryMode.LEGACY));
    assertThrows(ConfigException.class, () -> AwsKmsOptions.builder().connectTimeout(Duration.ZERO));
    assertThrows(ConfigException.class,
        () -> AwsKmsOptions.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(ConfigException.class, () -> AwsKmsOptions.builder()
        .apiCallTimeout(Duration.ofSeconds(1)).attemptTimeout(Duration.ofSeconds(2)).build());
    AwsKmsOptions d = AwsKmsOptions.defaults();
    assertEquals(RetryMode.ADAPTIVE_V2, d.retryMode());
    assertEquals(8, d.maxAttempts());
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
