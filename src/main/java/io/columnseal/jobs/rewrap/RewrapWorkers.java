package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.KeyMismatchException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DekRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ReEncrypts DEKs on the driver with a fixed pool of {@code concurrency} threads, each with at
 * most one KMS call in flight, all drawing permits from one {@link TokenBucket}. Threads take
 * the next DEK from a shared iterator, so nothing is queued ahead: memory stays bounded by
 * the results, whatever the number of DEKs. Results are checkpointed in batches as they come.
 * A failed DEK is recorded and the others go on; after {@code maxFailures} failures the
 * threads stop taking DEKs, as the cause is then almost always one that every DEK shares.
 */
final class RewrapWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(RewrapWorkers.class);

  /** What one pass over a list of DEKs did. */
  static final class Pass {
    final Map<DekId, RewrapEntry> entries = new ConcurrentHashMap<>();
    final RewrapFailures failures = new RewrapFailures();
    long notAttempted;
  }

  private final KeyService kms;
  private final String targetArn;
  private final RewrapSettings settings;
  private final TokenBucket limiter;
  private final RewrapCheckpoints checkpoints;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong callNanos = new AtomicLong();
  private final AtomicLong checkpointErrors = new AtomicLong();

  RewrapWorkers(KeyService kms, String targetArn, RewrapSettings settings, RewrapCheckpoints checkpoints) {
    this.kms = kms;
    this.targetArn = targetArn;
    this.settings = settings;
    this.limiter = TokenBucket.perSecond(settings.maxRate);
    this.checkpoints = checkpoints;
  }

  /** ReEncrypt calls made so far (successful or not), over every pass. */
  long calls() {
    return calls.get();
  }

  /** Wall time spent in passes, in nanoseconds. */
  long nanos() {
    return callNanos.get();
  }

  long checkpointErrors() {
    return checkpointErrors.get();
  }

  /**
   * ReEncrypts {@code todo} under the target key. {@code done} and {@code total} only label
   * the progress line.
   */
  Pass run(List<DekRecord> todo, long done, long total) {
    Pass pass = new Pass();
    if (todo.isEmpty()) {
      return pass;
    }
    long started = System.nanoTime();
    Iterator<DekRecord> next = todo.iterator();
    AtomicInteger names = new AtomicInteger();
    int threads = Math.min(settings.concurrency, todo.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "columnseal-rewrap-" + names.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Batcher batcher = new Batcher();
    try (RewrapProgress progress = new RewrapProgress(settings.progress, settings.progressInterval, done, total)) {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        running.add(pool.submit(() -> {
          work(next, pass, batcher, progress);
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RewrapFailedException("the rewrap was interrupted; nothing was committed, and the DEKs done so far "
          + "are checkpointed for the next run");
    } catch (ExecutionException e) {
      // work() catches every RuntimeException per DEK: what arrives here is an Error.
      Throwable cause = e.getCause();
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException("a rewrap worker stopped", cause);
    } finally {
      pool.shutdownNow();
      batcher.flush();
      callNanos.addAndGet(System.nanoTime() - started);
    }
    pass.notAttempted = todo.size() - pass.entries.size() - pass.failures.count();
    return pass;
  }

  private void work(Iterator<DekRecord> next, Pass pass, Batcher batcher, RewrapProgress progress)
      throws InterruptedException {
    while (pass.failures.count() < settings.maxFailures) {
      DekRecord dek;
      synchronized (next) {
        if (!next.hasNext()) {
          return;
        }
        dek = next.next();
      }
      limiter.acquire();
      calls.incrementAndGet();
      try {
        WrappedKey moved = kms.reEncrypt(dek.wrapped(), dek.context(), targetArn);
        if (!targetArn.equals(moved.keyArn())) {
          throw new KeyMismatchException("ReEncrypt", targetArn, "DEK " + dek.id() + ": KMS answered with key "
              + moved.keyArn() + ", not the target key " + targetArn);
        }
        RewrapEntry e = RewrapEntry.of(dek, moved);
        pass.entries.put(e.id, e);
        batcher.add(e);
        progress.tick();
      } catch (RuntimeException e) {
        pass.failures.add(dek, e);
      }
    }
  }

  /** Collects results and writes a checkpoint file per batch, or when the interval has passed. */
  private final class Batcher {
    private List<RewrapEntry> batch = new ArrayList<>();
    private long since = System.nanoTime();

    void add(RewrapEntry e) {
      List<RewrapEntry> full = null;
      synchronized (this) {
        batch.add(e);
        if (batch.size() >= settings.checkpointBatch
            || System.nanoTime() - since >= settings.checkpointInterval.toNanos()) {
          full = batch;
          batch = new ArrayList<>();
          since = System.nanoTime();
        }
      }
      if (full != null) {
        write(full); // outside the lock: the other threads keep working meanwhile
      }
    }

    void flush() {
      List<RewrapEntry> rest;
      synchronized (this) {
        rest = batch;
        batch = new ArrayList<>();
      }
      write(rest);
    }

    private void write(List<RewrapEntry> entries) {
      try {
        checkpoints.write(entries);
      } catch (RuntimeException e) {
        // A checkpoint only saves work on a re-run; the results themselves are in memory.
        checkpointErrors.incrementAndGet();
        LOG.warn("could not checkpoint {} rewrapped DEKs: {}", entries.size(), e.getMessage());
      }
    }
  }
}
