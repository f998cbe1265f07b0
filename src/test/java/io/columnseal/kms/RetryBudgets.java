package io.columnseal.kms;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;

/**
 * Lets a job test run with a small KMS retry budget. Jobs reach KMS through
 * {@link KeyServices#shared}, which builds the AWS backend with {@link AwsKmsOptions#defaults()}
 * (8 attempts with the SDK's backoff: a KMS outage then takes about half a minute to fail a
 * job in local mode). This puts a backend with other options in its place for one spec, in this
 * JVM (local-mode executors share it), until {@link KeyServices#evict} removes it.
 */
public final class RetryBudgets {
  private RetryBudgets() {}

  /** {@code attempts} SDK attempts per call, with millisecond backoff. */
  public static void install(KeyServiceSpec spec, int attempts) {
    AwsKmsOptions small = AwsKmsOptions.builder().maxAttempts(attempts)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build();
    KeyService old = shared().put(spec, AwsKeyServices.open(spec, small));
    if (old != null) {
      old.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<KeyServiceSpec, KeyService> shared() {
    try {
      Field f = KeyServices.class.getDeclaredField("SHARED");
      f.setAccessible(true);
      return (Map<KeyServiceSpec, KeyService>) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("KeyServices has no SHARED map any more; update this test helper", e);
    }
  }
}
