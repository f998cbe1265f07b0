package io.columnseal.jobs.rewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The token bucket on a simulated clock: bursts, waits, and the long-run rate. */
class RewrapRateLimitTest {
  private long now;

  private TokenBucket bucket(double rate, double burst) {
    return new TokenBucket(rate, burst, () -> now, nanos -> now += nanos);
  }

  @Test
  void aFullBucketServesItsBurstAtOnceThenOnePermitPerInterval() {
    TokenBucket b = bucket(100, 10);
    for (int i = 0; i < 10; i++) {
      assertEquals(0, b.reserve(), "permit " + (i + 1) + " of the burst");
    }
    assertEquals(10_000_000L, b.reserve(), "the 11th waits 10 ms");
    assertEquals(20_000_000L, b.reserve(), "the 12th queues behind it");
    now += 1_000_000_000L;
    for (int i = 0; i < 10; i++) {
      assertEquals(0, b.reserve(), "refilled to the burst, not beyond");
    }
    assertEquals(10_000_000L, b.reserve());
  }

  @Test
  void theLongRunRateIsTheConfiguredRate() throws Exception {
    TokenBucket b = bucket(250, 25);
    long start = now;
    for (int i = 0; i < 10_000; i++) {
      b.acquire();
    }
    // 25 permits at once, then 9,975 at 250 per second.
    assertEquals(9_975 / 250.0, (now - start) / 1e9, 1e-6);
  }

  @Test
  void perSecondAllowsATenthOfASecondOfBurst() {
    assertEquals(1, TokenBucket.burstFor(5));
    assertEquals(100, TokenBucket.burstFor(1000));
    TokenBucket b = bucket(1000, TokenBucket.burstFor(1000));
    for (int i = 0; i < 100; i++) {
      assertEquals(0, b.reserve());
    }
    assertEquals(1_000_000L, b.reserve());
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(5, 0.5));
  }
}
