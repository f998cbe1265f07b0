package io.columnseal.kms.testserver;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Fake credentials and raw SDK clients for tests against {@link KmsTestServer}. Access key ids
 * are made-up names (AKIDTEST...), never anything shaped like a real AWS key.
 */
public final class TestClients {
  private TestClients() {
  }

  /** Static credentials for a principal of the test server. */
  public static AwsCredentialsProvider credentials(String accessKeyId) {
    if (accessKeyId.startsWith("AKIA") || accessKeyId.startsWith("ASIA")) {
      throw new IllegalArgumentException("use made-up access key ids such as AKIDTESTENCRYPTOR");
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, KmsTestServer.TEST_SECRET));
  }

  /** A plain SDK client without retries, for setting up keys and for asserting raw KMS answers. */
  public static KmsClient rawClient(KmsTestServer server, String accessKeyId) {
    return KmsClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.of(KmsTestServer.REGION))
        .credentialsProvider(credentials(accessKeyId))
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(Duration.ofSeconds(5))
            .build())
        .build();
  }
}
