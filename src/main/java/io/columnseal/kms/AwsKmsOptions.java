package io.columnseal.kms;

import io.columnseal.ConfigException;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * How the AWS backend tunes its SDK client: the retry budget of the SDK's adaptive retry
 * strategy, timeouts, and optionally a credentials provider in place of the default chain.
 * Immutable; checked when built.
 *
 * <p>The defaults suit a batch job: the SDK's adaptive retry mode (ADAPTIVE_V2), many
 * attempts (KMS throttles bursts of GenerateDataKey from hundreds of executors), short attempt
 * timeouts (a KMS call normally takes milliseconds), and the SDK's own backoff.
 *
 * <p>Adaptive mode adds a client-side rate limiter that starts after the first throttling
 * answer and, on a client that has sent little so far, waits about two seconds per throttled
 * attempt: right for executors that make a few calls each, costly for a client that must
 * sustain a high call rate through throttling (STANDARD mode retries without the limiter).
 */
public final class AwsKmsOptions {
  private static final AwsKmsOptions DEFAULTS = builder().build();

  private final RetryMode retryMode;
  private final int maxAttempts;
  private final Duration apiCallTimeout;
  private final Duration attemptTimeout;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration backoffBaseDelay;
  private final Duration backoffMaxDelay;
  private final int maxConnections;
  private final AwsCredentialsProvider credentials;

  private AwsKmsOptions(Builder b) {
    this.retryMode = b.retryMode;
    this.maxAttempts = b.maxAttempts;
    this.apiCallTimeout = b.apiCallTimeout;
    this.attemptTimeout = b.attemptTimeout;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.backoffBaseDelay = b.backoffBaseDelay;
    this.backoffMaxDelay = b.backoffMaxDelay;
    this.maxConnections = b.maxConnections;
    this.credentials = b.credentials;
  }

  public static AwsKmsOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** ADAPTIVE_V2 (the default) or STANDARD. */
  public RetryMode retryMode() {
    return retryMode;
  }

  /** Attempts per call, the first included; the SDK retries throttling and 5xx answers. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Upper bound of one call with all its retries. */
  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /** Upper bound of one HTTP attempt. */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  /** Base delay of the retry backoff; null means the SDK's defaults. */
  public Duration backoffBaseDelay() {
    return backoffBaseDelay;
  }

  /** Cap of the retry backoff; null means the SDK's defaults. */
  public Duration backoffMaxDelay() {
    return backoffMaxDelay;
  }

  /**
   * Connections the HTTP client keeps open at most (the SDK's default is 50): a caller that
   * runs more concurrent calls than this waits for a connection.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /** Null means the default chain, or the spec's profile when it names one. */
  public AwsCredentialsProvider credentials() {
    return credentials;
  }

  @Override
  public String toString() {
    return "AwsKmsOptions[retryMode=" + retryMode + ", maxAttempts=" + maxAttempts + ", apiCallTimeout=" + apiCallTimeout
        + ", attemptTimeout=" + attemptTimeout + ", connectTimeout=" + connectTimeout
        + ", readTimeout=" + readTimeout + ", maxConnections=" + maxConnections
        + (backoffBaseDelay == null ? "" : ", backoff=" + backoffBaseDelay + ".." + backoffMaxDelay)
        + (credentials == null ? "" : ", explicit credentials") + "]";
  }

  /** Builder; every setter checks its value. */
  public static final class Builder {
    private RetryMode retryMode = RetryMode.ADAPTIVE_V2;
    private int maxAttempts = 8;
    private Duration apiCallTimeout = Duration.ofMinutes(2);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration readTimeout = Duration.ofSeconds(10);
    private Duration backoffBaseDelay;
    private Duration backoffMaxDelay;
    private int maxConnections = 50;
    private AwsCredentialsProvider credentials;

    private Builder() {
    }

    public Builder retryMode(RetryMode mode) {
      if (mode != RetryMode.ADAPTIVE_V2 && mode != RetryMode.STANDARD) {
        throw ConfigException.badValue("kms.retryMode", mode, "ADAPTIVE_V2 or STANDARD");
      }
      this.retryMode = mode;
      return this;
    }

    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 20) {
        throw ConfigException.badValue("kms.maxAttempts", attempts, "between 1 and 20");
      }
      this.maxAttempts = attempts;
      return this;
    }

    public Builder apiCallTimeout(Duration d) {
      this.apiCallTimeout = positive("kms.apiCallTimeout", d);
      return this;
    }

    public Builder attemptTimeout(Duration d) {
      this.attemptTimeout = positive("kms.attemptTimeout", d);
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive("kms.connectTimeout", d);
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = positive("kms.readTimeout", d);
      return this;
    }

    /** Exponential backoff with full jitter between {@code base} and {@code max}, for every retry. */
    public Builder backoff(Duration base, Duration max) {
      positive("kms.backoff.base", base);
      positive("kms.backoff.max", max);
      if (max.compareTo(base) < 0) {
        throw ConfigException.badValue("kms.backoff.max", max, "at least kms.backoff.base (" + base + ")");
      }
      this.backoffBaseDelay = base;
      this.backoffMaxDelay = max;
      return this;
    }

    public Builder maxConnections(int connections) {
      if (connections < 1 || connections > 1000) {
        throw ConfigException.badValue("kms.maxConnections", connections, "between 1 and 1000");
      }
      this.maxConnections = connections;
      return this;
    }

    public Builder credentials(AwsCredentialsProvider provider) {
      this.credentials = Objects.requireNonNull(provider, "credentials");
      return this;
    }

    public AwsKmsOptions build() {
      if (attemptTimeout.compareTo(apiCallTimeout) > 0) {
        throw ConfigException.badValue("kms.attemptTimeout", attemptTimeout,
            "at most kms.apiCallTimeout (" + apiCallTimeout + ")");
      }
      return new AwsKmsOptions(this);
    }

    private static Duration positive(String key, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw ConfigException.badValue(key, d, "a positive duration");
      }
      return d;
    }
  }
}
