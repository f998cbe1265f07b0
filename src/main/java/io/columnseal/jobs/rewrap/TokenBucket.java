package io.columnseal.jobs.rewrap;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token-bucket rate limiter: at most {@code rate} permits per second on average, with bursts
 * of at most {@code burst} permits. Callers reserve a permit under the lock and sleep outside
 * it, so waiting callers are served in arrival order and never hold each other up longer than
 * the rate requires. KMS quotas are per account and region, shared by every job of the
 * account: this keeps a rewrap's share fixed however fast KMS answers.
 */
final class TokenBucket {
  /** Sleeps; tests replace it. */
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double permitsPerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private double tokens; // guarded by this; negative while permits are reserved ahead
  private long last; // guarded by this

  TokenBucket(double permitsPerSecond, double burst) {
    this(permitsPerSecond, burst, System::nanoTime, nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
  }

  TokenBucket(double permitsPerSecond, double burst, LongSupplier nanoTime, Sleeper sleeper) {
    if (!(permitsPerSecond > 0) || !(burst >= 1)) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1, got " + permitsPerSecond + ", " + burst);
    }
    this.permitsPerNano = permitsPerSecond / 1e9;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /**
   * A burst of a tenth of a second's permits: short enough that no one-second window sees much
   * more than the rate, long enough that a pool of workers starts at once.
   */
  static TokenBucket perSecond(double permitsPerSecond) {
    return new TokenBucket(permitsPerSecond, burstFor(permitsPerSecond));
  }

  static double burstFor(double permitsPerSecond) {
    return Math.max(1, permitsPerSecond / 10);
  }

  /** Takes one permit, waiting as long as the rate requires. */
  void acquire() throws InterruptedException {
    long wait = reserve();
    if (wait > 0) {
      sleeper.sleepNanos(wait);
    }
  }

  /** Takes a permit now and returns how long the caller must wait before using it. */
  synchronized long reserve() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * permitsPerNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / permitsPerNano);
  }
}
