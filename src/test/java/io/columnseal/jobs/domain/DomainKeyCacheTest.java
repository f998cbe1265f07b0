package io.columnseal.jobs.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.WrappedKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The domain key cache keeps the DEK cache's rules: a hit matches everything, bounded, expiring, zeroed. */
class DomainKeyCacheTest {
  private static final String ARN = "arn:aws:kms:eu-west-1:111122223333:key/a";
  private static final DekId ID = DekId.fromLong(7);
  private static final EncryptionContext CTX = EncryptionContext.forDomain("pan", ID.hex());

  @Test
  void aHitNeedsTheSameBlobArnContextAndCaller() {
    Unwraps kms = new Unwraps("local|a");
    DomainKeyCache cache = new DomainKeyCache(Clock.systemUTC(), 100, Duration.ofMinutes(1), Duration.ofMinutes(10));
    WrappedKey w = new WrappedKey(ARN, new byte[] {1});
    cache.acquire(kms, "pan", ID, w, CTX).close();
    cache.acquire(kms, "pan", ID, w, CTX).close();
    assertEquals(1, kms.count.get());
    cache.acquire(kms, "pan", ID, new WrappedKey(ARN, new byte[] {2}), CTX).close();
    cache.acquire(kms, "pan", ID, new WrappedKey(ARN + "b", new byte[] {1}), CTX).close();
    cache.acquire(kms, "pan", ID, w, EncryptionContext.forDomain("names", ID.hex())).close();
    Unwraps other = new Unwraps("local|b");
    cache.acquire(other, "pan", ID, w, CTX).close();
    assertEquals(4, kms.count.get());
    assertEquals(1, other.count.get());
  }

  @Test
  void expiryAndClearZeroIdleKeysNowAndHeldKeysAtRelease() {
    MutableClock clock = new MutableClock();
    Unwraps kms = new Unwraps("local|a");
    DomainKeyCache cache = new DomainKeyCache(clock, 1, Duration.ofSeconds(30), Duration.ofMinutes(10));
    DomainKeyCache.Lease first = cache.acquire(kms, "pan", ID, new WrappedKey(ARN, new byte[] {1}), CTX);
    DomainKey firstKey = first.key();
    first.close();
    clock.now = clock.now.plusSeconds(30);
    cache.sweep();
    assertTrue(firstKey.isDestroyed());

    DomainKeyCache.Lease held = cache.acquire(kms, "pan", ID, new WrappedKey(ARN, new byte[] {2}), CTX);
    DomainKeyCache.Lease evictor = cache.acquire(kms, "pan", ID, new WrappedKey(ARN, new byte[] {3}), CTX); // bound 1
    assertEquals(1, cache.size());
    assertFalse(held.key().isDestroyed());
    DomainKey heldKey = held.key();
    held.close();
    assertTrue(heldKey.isDestroyed());
    DomainKey last = evictor.key();
    cache.clear();
    assertFalse(last.isDestroyed());
    evictor.close();
    assertTrue(last.isDestroyed());
    assertThrows(IllegalStateException.class, evictor::key);
  }

  /** Unwraps to a fresh random domain key and counts. */
  private static final class Unwraps implements KeyService {
    final AtomicInteger count = new AtomicInteger();
    final String identity;

    Unwraps(String identity) {
      this.identity = identity;
    }

    @Override
    public DomainKey decryptDomainKey(WrappedKey wrapped, String domain, DekId id, EncryptionContext context) {
      count.incrementAndGet();
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      return DomainKey.of(domain, id, b);
    }

    @Override public String identity() { return identity; }
    @Override public GeneratedDataKey generateDataKey(String k, DekId d, EncryptionContext c) { throw new UnsupportedOperationException(); }
    @Override public OpeningKey decrypt(WrappedKey w, DekId d, EncryptionContext c) { throw new UnsupportedOperationException(); }
    @Override public WrappedKey reEncrypt(WrappedKey w, EncryptionContext c, String k) { throw new UnsupportedOperationException(); }
    @Override public KeyDescription describeKey(String k) { throw new UnsupportedOperationException(); }
    @Override public void close() {}
  }

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-04T00:00:00Z");

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }
}
