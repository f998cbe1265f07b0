package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.AwsKms;
import io.columnseal.kms.AwsKmsOptions;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.WrappedKey;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.kms.testserver.TestClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataKeyCacheTest {
  private static final DekId DEK = DekId.fromLong(0x0102030405060708L);
  private static final EncryptionContext CONTEXT = EncryptionContext.forDek("ds-1", DEK.hex(), Map.of());

  /** The case: a second principal in the same JVM must not get the first one's DEK. */
  @Test
  void aSecondPrincipalWithoutDecryptGetsAccessDeniedNotTheFirstOnesKey() {
    try (KmsTestServer server = KmsTestServer.start();
        KeyService reader = awsAs(server, "AKIDTESTREADER");
        KeyService intruder = awsAs(server, "AKIDTESTINTRUDER")) {
      String arn = server.createKey("cache");
      byte[] blob = server.generateWrappedDataKey(arn, CONTEXT.asMap());
      server.permissions().restrict("AKIDTESTINTRUDER", "kms:DescribeKey");
      DataKeyCache cache = new DataKeyCache(Clock.systemUTC(), 100, Duration.ofMinutes(1), Duration.ofMinutes(10));

      try (DataKeyCache.Lease first = cache.acquire(reader, DEK, new WrappedKey(arn, blob), CONTEXT)) {
        assertFalse(first.key().isDestroyed());
        KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
            () -> cache.acquire(intruder, DEK, new WrappedKey(arn, blob), CONTEXT));
        assertTrue(denied.getMessage().contains("Decrypt"), denied.getMessage());
      }
      assertEquals(1, server.log().count("Decrypt", LoggedRequest.OK));
      LoggedRequest last = server.log().of("Decrypt").get(1);
      assertEquals("AKIDTESTINTRUDER", last.accessKeyId());
      assertEquals("AccessDeniedException", last.outcome());
      assertEquals(1, cache.size());
    }
  }

  @Test
  void aHitNeedsTheSameBlobArnAndContext() {
    CountingKeys kms = new CountingKeys("local|a");
    DataKeyCache cache = new DataKeyCache(Clock.systemUTC(), 100, Duration.ofMinutes(1), Duration.ofMinutes(10));
    WrappedKey w = new WrappedKey("arn:aws:kms:eu-west-1:111122223333:key/a", new byte[] {1, 2, 3});
    cache.acquire(kms, DEK, w, CONTEXT).close();
    cache.acquire(kms, DEK, w, CONTEXT).close();
    assertEquals(1, kms.decrypts.get());
    cache.acquire(kms, DEK, new WrappedKey(w.keyArn(), new byte[] {1, 2, 4}), CONTEXT).close();
    cache.acquire(kms, DEK, new WrappedKey("arn:aws:kms:eu-west-1:111122223333:key/b", w.blob()), CONTEXT).close();
    cache.acquire(kms, DEK, w, EncryptionContext.forDek("ds-2", DEK.hex(), Map.of())).close();
    cache.acquire(new CountingKeys("local|b"), DEK, w, CONTEXT).close();
    assertEquals(4, kms.decrypts.get());
    assertEquals(5, cache.size());
  }

  @Test
  void theLeastRecentlyUsedEntryIsRetiredAndZeroedPastTheBound() {
    CountingKeys kms = new CountingKeys("local|a");
    DataKeyCache cache = new DataKeyCache(Clock.systemUTC(), 2, Duration.ofMinutes(1), Duration.ofMinutes(10));
    DataKeyCache.Lease a = cache.acquire(kms, DEK, blob(1), CONTEXT);
    OpeningKey keyA = a.key();
    a.close();
    cache.acquire(kms, DEK, blob(2), CONTEXT).close();
    cache.acquire(kms, DEK, blob(1), CONTEXT).close(); // a is now the most recently used
    cache.acquire(kms, DEK, blob(3), CONTEXT).close(); // so 2 goes
    assertEquals(2, cache.size());
    assertFalse(keyA.isDestroyed());
    cache.acquire(kms, DEK, blob(1), CONTEXT).close();
    assertEquals(3, kms.decrypts.get());
    cache.acquire(kms, DEK, blob(2), CONTEXT).close();
    assertEquals(4, kms.decrypts.get());
  }

  @Test
  void idleAndAbsoluteExpiryFollowTheClock() {
    MutableClock clock = new MutableClock();
    CountingKeys kms = new CountingKeys("local|a");
    DataKeyCache cache = new DataKeyCache(clock, 100, Duration.ofSeconds(30), Duration.ofMinutes(10));
    DataKeyCache.Lease idle = cache.acquire(kms, DEK, blob(1), CONTEXT);
    OpeningKey idleKey = idle.key();
    idle.close();
    clock.advance(Duration.ofSeconds(29));
    cache.sweep();
    assertFalse(idleKey.isDestroyed());
    clock.advance(Duration.ofSeconds(1));
    cache.sweep();
    assertTrue(idleKey.isDestroyed());
    assertEquals(0, cache.size());

    // Held for longer than the absolute lifetime: no new caller gets it, the holder keeps it until release.
    DataKeyCache.Lease held = cache.acquire(kms, DEK, blob(2), CONTEXT);
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(29));
      cache.acquire(kms, DEK, blob(2), CONTEXT).close();
    }
    assertEquals(2, kms.decrypts.get());
    clock.advance(Duration.ofSeconds(29)); // 10 min 9 s after the unwrap
    DataKeyCache.Lease fresh = cache.acquire(kms, DEK, blob(2), CONTEXT);
    assertEquals(3, kms.decrypts.get());
    assertNotSame(held.key(), fresh.key());
    assertFalse(held.key().isDestroyed());
    OpeningKey old = held.key();
    held.close();
    assertTrue(old.isDestroyed());
    fresh.close();
  }

  @Test
  void clearZeroesIdleKeysNowAndHeldKeysAtTheirRelease() {
    CountingKeys kms = new CountingKeys("local|a");
    DataKeyCache cache = new DataKeyCache(Clock.systemUTC(), 100, Duration.ofMinutes(1), Duration.ofMinutes(10));
    DataKeyCache.Lease idle = cache.acquire(kms, DEK, blob(1), CONTEXT);
    OpeningKey idleKey = idle.key();
    idle.close();
    DataKeyCache.Lease held = cache.acquire(kms, DEK, blob(2), CONTEXT);
    DataKeyCache.Lease again = cache.acquire(kms, DEK, blob(2), CONTEXT);
    assertSame(held.key(), again.key());
    OpeningKey heldKey = held.key();
    cache.clear();
    assertEquals(0, cache.size());
    assertTrue(idleKey.isDestroyed());
    assertFalse(heldKey.isDestroyed());
    held.close();
    assertFalse(heldKey.isDestroyed());
    again.close();
    assertTrue(heldKey.isDestroyed());
    assertThrows(IllegalStateException.class, again::key);
  }

  private static WrappedKey blob(int n) {
    return new WrappedKey("arn:aws:kms:eu-west-1:111122223333:key/a", new byte[] {(byte) n});
  }

  private static KeyService awsAs(KmsTestServer server, String accessKeyId) {
    return new AwsKms(server.spec(), AwsKmsOptions.builder().credentials(TestClients.credentials(accessKeyId)).build());
  }

  /** Unwraps to a fresh random key and counts the unwraps. */
  private static final class CountingKeys implements KeyService {
    final AtomicInteger decrypts = new AtomicInteger();
    final String identity;

    CountingKeys(String identity) {
      this.identity = identity;
    }

    @Override
    public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
      decrypts.incrementAndGet();
      byte[] b = new byte[32];
      new java.security.SecureRandom().nextBytes(b);
      return OpeningKey.of(dekId, b);
    }

    @Override
    public String identity() {
      return identity;
    }

    @Override
    public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public KeyDescription describeKey(String keyId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-04T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
