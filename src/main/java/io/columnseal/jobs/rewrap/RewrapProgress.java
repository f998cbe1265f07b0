package io.columnseal.jobs.rewrap;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress line a rewrap prints every few seconds while it works
 * ({@code rewrap: 12,345 / 1,000,000 DEKs, 1,234/s}), the rate being that of the last interval.
 */
final class RewrapProgress implements AutoCloseable {
  private final PrintStream out;
  private final long base;
  private final long total;
  private final AtomicLong count = new AtomicLong();
  private final ScheduledExecutorService timer;
  private long lastCount; // touched by the timer thread only
  private long lastNanos;

  /** {@code base} DEKs were done before this pass (reused from checkpoints, earlier passes). */
  RewrapProgress(PrintStream out, Duration interval, long base, long total) {
    this.out = out;
    this.base = base;
    this.total = total;
    this.lastNanos = System.nanoTime();
    if (out == null) {
      timer = null;
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "columnseal-rewrap-progress");
      t.setDaemon(true);
      return t;
    });
    long every = interval.toMillis();
    timer.scheduleAtFixedRate(this::print, every, every, TimeUnit.MILLISECONDS);
  }

  void tick() {
    count.incrementAndGet();
  }

  private void print() {
    long now = System.nanoTime();
    long n = count.get();
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    out.printf("rewrap: %,d / %,d DEKs, %,d/s%n", base + n, total, Math.round((n - lastCount) / seconds));
    out.flush();
    lastCount = n;
    lastNanos = now;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
