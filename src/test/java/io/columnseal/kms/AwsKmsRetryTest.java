package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.kms.testserver.TestClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * The SDK's own retries seen from the server: throttling and 5xx answers are retried up to the
 * attempt budget, then mapped to columnseal's exceptions; an outage fails fast. A small backoff
 * keeps the class fast; the attempt counts are exact.
 *
 * <p>The default ADAPTIVE_V2 mode waits about two seconds per throttled attempt (its
 * client-side rate limiter), so the long throttling runs use STANDARD mode, and one test shows
 * the default mode absorbing a throttle.
 */
class AwsKmsRetryTest {
  static final String PRINCIPAL = "AKIDTESTRETRY";
  static final int ATTEMPTS = 3;

  static KmsTestServer server;
  static String keyArn;
  KeyService kms;

  @BeforeAll
  static void startServer() {
    server = KmsTestServer.start();
    keyArn = server.createKey("retry test key");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void openClient() {
    server.faults().clear();
    server.log().clear();
    kms = open(server, RetryMode.STANDARD, ATTEMPTS, Duration.ofSeconds(2));
  }

  @AfterEach
  void closeClient() {
    kms.close();
  }

  static KeyService open(KmsTestServer s, RetryMode mode, int attempts, Duration attemptTimeout) {
    return AwsKeyServices.open(s.spec(), AwsKmsOptions.builder()
        .credentials(TestClients.credentials(PRINCIPAL))
        .retryMode(mode)
        .maxAttempts(attempts)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
        .attemptTimeout(attemptTimeout)
        .apiCallTimeout(Duration.ofSeconds(10))
        .connectTimeout(Duration.ofMillis(500))
        .build());
  }

  static EncryptionContext context(DekId dek) {
    return EncryptionContext.forDek("cards", dek.hex(), Map.of());
  }

  @Test
  void thirtyPercentThrottlingIsAbsorbedByTheSdkRetries() throws Exception {
    // Enough attempts that a run of throttles is practically impossible: 0.3^10 per call, about
    // 1 in 2,800 runs of 200 calls (6 attempts, 0.3^6, failed about one run in seven).
    KeyService patient = open(server, RetryMode.STANDARD, 10, Duration.ofSeconds(2));
    server.faults().throttle(0.3, 7);
    int calls = 200;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        DekId dek = DekId.fromLong(i + 1);
        results.add(pool.submit(() -> {
          GeneratedDataKey g = patient.generateDataKey(keyArn, dek, context(dek));
          g.plaintext().destroy();
          return g.wrapped().keyArn();
        }));
      }
      for (Future<String> f : results) {
        assertEquals(keyArn, f.get());
      }
    } finally {
      pool.shutdownNow();
      patient.close();
    }
    long throttled = server.log().count("GenerateDataKey", "ThrottlingException");
    assertEquals(calls, server.log().count("GenerateDataKey", LoggedRequest.OK));
    assertTrue(throttled > 20, "throttled requests seen by the server: " + throttled);
    assertEquals(calls + throttled, server.log().of("GenerateDataKey").size());
  }

  @Test
  void theDefaultAdaptiveModeAbsorbsAThrottleAfterItsRateLimiterWaits() {
    KeyService adaptive = AwsKeyServices.open(server.spec(), AwsKmsOptions.builder()
        .credentials(TestClients.credentials(PRINCIPAL))
        .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
        .build());
    try {
      assertEquals(RetryMode.ADAPTIVE_V2, AwsKmsOptions.defaults().retryMode());
      DekId dek = DekId.fromLong(9);
      adaptive.describeKey(keyArn);
      server.faults().throttleNext(1);
      long start = System.nanoTime();
      adaptive.generateDataKey(keyArn, dek, context(dek)).plaintext().destroy();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(1, server.log().count("GenerateDataKey", "ThrottlingException"));
      assertEquals(1, server.log().count("GenerateDataKey", LoggedRequest.OK));
      // The backoff is at most 10 ms: a wait this long is the adaptive rate limiter at work.
      assertTrue(millis >= 500, "retried after " + millis + " ms");
    } finally {
      adaptive.close();
    }
  }

  @Test
  void persistentThrottlingIsKmsThrottledAfterTheAttemptBudget() {
    server.faults().throttle(1.0, 1);
    DekId dek = DekId.fromLong(1);
    KmsThrottledException e = assertThrows(KmsThrottledException.class,
        () -> kms.generateDataKey(keyArn, dek, context(dek)));
    assertTrue(e.getMessage().contains("ThrottlingException") && e.getMessage().contains(keyArn), e.getMessage());
    assertEquals(ATTEMPTS, server.log().count("GenerateDataKey", "ThrottlingException"));
    assertEquals(ATTEMPTS, server.log().entries().size());
  }

  @Test
  void internalErrorsAreRetried() {
    server.faults().failNext(ATTEMPTS - 1);
    DekId dek = DekId.fromLong(2);
    kms.generateDataKey(keyArn, dek, context(dek)).plaintext().destroy();
    assertEquals(ATTEMPTS - 1, server.log().count("GenerateDataKey", "KMSInternalException"));
    assertEquals(1, server.log().count("GenerateDataKey", LoggedRequest.OK));
    assertTrue(server.log().of("GenerateDataKey").stream()
        .allMatch(r -> r.context().equals(context(dek).asMap())), "every attempt carries the context");
  }

  @Test
  void internalErrorsBeyondTheBudgetAreKeyUnavailable() {
    server.faults().failNext(ATTEMPTS + 2);
    DekId dek = DekId.fromLong(3);
    KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
        () -> kms.generateDataKey(keyArn, dek, context(dek)));
    assertTrue(e.getMessage().contains("KMSInternalException") && e.getMessage().contains("HTTP 500"), e.getMessage());
    assertEquals(ATTEMPTS, server.log().count("GenerateDataKey", "KMSInternalException"));
  }

  @Test
  void anOutageIsKeyUnavailableQuickly() {
    server.faults().outage(true);
    DekId dek = DekId.fromLong(4);
    long start = System.nanoTime();
    KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
        () -> kms.generateDataKey(keyArn, dek, context(dek)));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 3000, "took " + millis + " ms");
    assertTrue(e.getMessage().contains("no answer from KMS"), e.getMessage());
    assertEquals(ATTEMPTS, server.log().count("GenerateDataKey", LoggedRequest.DROPPED));

    server.faults().outage(false);
    kms.generateDataKey(keyArn, dek, context(dek)).plaintext().destroy();
  }

  @Test
  void aStoppedServerIsKeyUnavailable() {
    KmsTestServer gone = KmsTestServer.start();
    String arn = gone.createKey("gone");
    gone.close();
    KeyService k = open(gone, RetryMode.ADAPTIVE_V2, 2, Duration.ofSeconds(1));
    try {
      DekId dek = DekId.fromLong(5);
      KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
          () -> k.generateDataKey(arn, dek, context(dek)));
      assertEquals("GenerateDataKey", e.operation());
    } finally {
      k.close();
    }
  }

  @Test
  void aSlowAnswerPastTheAttemptTimeoutIsRetriedThenKeyUnavailable() {
    KeyService impatient = open(server, RetryMode.ADAPTIVE_V2, 2, Duration.ofMillis(300));
    server.faults().latency(Duration.ofMillis(800));
    try {
      KeyUnavailableException e = assertThrows(KeyUnavailableException.class, () -> impatient.describeKey(keyArn));
      assertTrue(e.getMessage().contains("no answer from KMS"), e.getMessage());
    } finally {
      impatient.close();
    }
    // Both attempts reached the server; let their late answers land before the next test.
    long deadline = System.currentTimeMillis() + 5000;
    while (server.log().of("DescribeKey").size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(2, server.log().of("DescribeKey").size());
  }
}
