package io.columnseal.kms;

import java.net.URI;
import java.util.List;
import java.util.ServiceLoader;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpService;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

/** Builds the SDK pieces of {@link AwsKms}: the HTTP client and the KMS client. */
final class AwsKmsClients {
  /**
   * Sync HTTP clients we accept, best first. Naming one ourselves keeps the SDK from failing
   * with "multiple HTTP implementations" when a cluster puts another SDK bundle on the
   * classpath beside ours.
   */
  private static final List<String> HTTP_SERVICES = List.of(
      "software.amazon.awssdk.http.apache5.Apache5SdkHttpService",
      "software.amazon.awssdk.http.apache.ApacheSdkHttpService",
      "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");

  private AwsKmsClients() {
  }

  /** The sync HTTP client, with our connect and read timeouts and connection pool size. The caller closes it. */
  static SdkHttpClient httpClient(AwsKmsOptions options) {
    SdkHttpService chosen = null;
    int rank = Integer.MAX_VALUE;
    for (ServiceLoader.Provider<SdkHttpService> p
        : ServiceLoader.load(SdkHttpService.class, AwsKms.class.getClassLoader()).stream().toList()) {
      int r = HTTP_SERVICES.indexOf(p.type().getName());
      if (r >= 0 && r < rank) {
        chosen = p.get();
        rank = r;
      }
    }
    if (chosen == null) {
      throw new IllegalStateException("no sync HTTP client for the AWS SDK on the classpath; expected one of "
          + HTTP_SERVICES);
    }
    AttributeMap timeouts = AttributeMap.builder()
        .put(SdkHttpConfigurationOption.CONNECTION_TIMEOUT, options.connectTimeout())
        .put(SdkHttpConfigurationOption.READ_TIMEOUT, options.readTimeout())
        .put(SdkHttpConfigurationOption.MAX_CONNECTIONS, options.maxConnections())
        .build();
    return chosen.createHttpClientBuilder().buildWithDefaults(timeouts);
  }

  /**
   * The KMS client: the SDK's retry strategy for the options' mode (by default ADAPTIVE_V2:
   * standard retries plus a client-side rate limiter that backs off when KMS throttles),
   * region and endpoint from the spec or the default chains, credentials from the options,
   * the spec's profile, or the default chain.
   */
  static KmsClient kmsClient(KeyServiceSpec spec, AwsKmsOptions options, SdkHttpClient http,
      AwsCredentialsProvider credentials) {
    KmsClientBuilder b = KmsClient.builder()
        .httpClient(http)
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(retryStrategy(options))
            .apiCallTimeout(options.apiCallTimeout())
            .apiCallAttemptTimeout(options.attemptTimeout())
            .build());
    Region region = region(spec);
    if (region != null) {
      b.region(region);
    }
    if (spec.endpoint() != null) {
      b.endpointOverride(URI.create(spec.endpoint()));
    }
    if (credentials != null) {
      b.credentialsProvider(credentials);
    }
    return b.build();
  }

  /** The spec's named profile, when it names one and the options give no credentials; the caller closes it. */
  static ProfileCredentialsProvider profileCredentials(KeyServiceSpec spec, AwsKmsOptions options) {
    if (options.credentials() != null || spec.profile() == null) {
      return null;
    }
    return ProfileCredentialsProvider.builder().profileName(spec.profile()).build();
  }

  static RetryStrategy retryStrategy(AwsKmsOptions options) {
    RetryStrategy.Builder<?, ?> b = AwsRetryStrategy.forRetryMode(options.retryMode()).toBuilder();
    b.maxAttempts(options.maxAttempts());
    if (options.backoffBaseDelay() != null) {
      BackoffStrategy backoff = BackoffStrategy.exponentialDelay(options.backoffBaseDelay(), options.backoffMaxDelay());
      b.backoffStrategy(backoff);
      b.throttlingBackoffStrategy(backoff);
    }
    return b.build();
  }

  private static Region region(KeyServiceSpec spec) {
    if (spec.region() != null) {
      return Region.of(spec.region());
    }
    if (spec.profile() != null) {
      return DefaultAwsRegionProviderChain.builder().profileName(spec.profile()).build().getRegion();
    }
    return null; // the client's default region chain
  }
}
