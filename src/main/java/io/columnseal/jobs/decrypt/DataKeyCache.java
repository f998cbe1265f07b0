package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.WrappedKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Unwrapped DEKs shared by the tasks of one JVM, so a DEK is unwrapped once per executor rather
 * than once per task. A hit must match everything KMS would have checked: the wrapped blob
 * (by SHA-256), the key ARN, the encryption context, and the caller ({@link KeyService#identity}:
 * backend, location and the principal whose credentials are in use). So a second principal in
 * the same JVM gets its own KMS Decrypt (and its own AccessDenied, and its own CloudTrail entry),
 * never the first one's DEK.
 *
 * <p>Bounded: at most {@code maxEntries} keys (least recently used retired first); an entry no
 * task holds is destroyed (zeroed) after {@code idle} without use, and every entry is retired
 * {@code absolute} after its unwrap. A retired key that a task still holds is zeroed at its last
 * release. {@link #shared()} also sweeps on a daemon timer, not only when a task touches it.
 */
public final class DataKeyCache {
  static final int MAX_ENTRIES = 10_000;
  static final Duration IDLE = Duration.ofSeconds(30);
  static final Duration ABSOLUTE = Duration.ofMinutes(10);
  private static final long SWEEP_SECONDS = 10;
  private static final DataKeyCache SHARED = new DataKeyCache(Clock.systemUTC(), MAX_ENTRIES, IDLE, ABSOLUTE);
  private static ScheduledExecutorService sweeper;

  private final Clock clock;
  private final int maxEntries;
  private final long idleMillis;
  private final long absoluteMillis;
  // Access order: the eldest entry is the least recently used.
  private final LinkedHashMap<CacheKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  public DataKeyCache(Clock clock, int maxEntries, Duration idle, Duration absolute) {
    if (maxEntries < 1 || idle.isNegative() || absolute.isNegative()) {
      throw new IllegalArgumentException("a DEK cache needs maxEntries >= 1 and non-negative expiries");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxEntries = maxEntries;
    this.idleMillis = idle.toMillis();
    this.absoluteMillis = absolute.toMillis();
  }

  /** The cache of this JVM, swept every few seconds by a daemon thread. */
  public static DataKeyCache shared() {
    synchronized (DataKeyCache.class) {
      if (sweeper == null) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "columnseal-dek-cache-sweeper");
          t.setDaemon(true);
          return t;
        });
        sweeper.scheduleWithFixedDelay(SHARED::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
      }
    }
    return SHARED;
  }

  /** As {@link #acquire(KeyService, DekId, WrappedKey, EncryptionContext)} through the JVM's service for {@code spec}. */
  public Lease acquire(KeyServiceSpec spec, DekId id, WrappedDek dek) {
    return acquire(KeyServices.shared(spec), id, dek.wrapped(), dek.encryptionContext());
  }

  /**
   * The DEK, from a matching entry or unwrapped through KMS Decrypt as the caller of
   * {@code kms}. Close the lease when done with the key.
   */
  public Lease acquire(KeyService kms, DekId id, WrappedKey wrapped, EncryptionContext context) {
    CacheKey k = new CacheKey(kms.identity(), wrapped.keyArn(), sha256(wrapped.blob()), new TreeMap<>(context.asMap()));
    synchronized (entries) {
      sweepLocked(clock.millis());
      Entry e = entries.get(k);
      if (e != null) {
        e.users++;
        return new Lease(e);
      }
    }
    // Unwrap outside the lock: a KMS call may take a while; a rare double unwrap is harmless.
    OpeningKey key = kms.decrypt(wrapped, id, context);
    synchronized (entries) {
      long now = clock.millis();
      Entry e = entries.get(k);
      if (e != null) {
        key.destroy();
      } else {
        e = new Entry(key, now);
        entries.put(k, e);
        retireEldestBeyond(maxEntries);
      }
      e.users++;
      return new Lease(e);
    }
  }

  /** Entries held now (retired keys that tasks still hold are not counted). */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** Retires what has expired; the timer of {@link #shared()} calls it. */
  public void sweep() {
    synchronized (entries) {
      sweepLocked(clock.millis());
    }
  }

  /**
   * Retires every entry: keys no task holds are zeroed now, held ones at their last release.
   * Decrypt, verify and quarantine read-back call it when their job ends.
   */
  public void clear() {
    synchronized (entries) {
      retireEldestBeyond(0);
    }
  }

  private void sweepLocked(long now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      boolean idle = e.users == 0 && now - e.lastUsed >= idleMillis;
      if (idle || now - e.created >= absoluteMillis) {
        it.remove();
        e.retire();
      }
    }
  }

  private void retireEldestBeyond(int limit) {
    List<Entry> retired = new ArrayList<>();
    for (Iterator<Map.Entry<CacheKey, Entry>> it = entries.entrySet().iterator(); it.hasNext() && entries.size() > limit; ) {
      retired.add(it.next().getValue());
      it.remove();
    }
    retired.forEach(Entry::retire);
  }

  private static String sha256(byte[] blob) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** What must match for a hit. Holds no secret: the blob only as its digest. */
  private record CacheKey(String identity, String keyArn, String blobSha256, TreeMap<String, String> context) {}

  /** Guarded by the cache's lock. */
  private static final class Entry {
    final OpeningKey key;
    final long created;
    long lastUsed;
    int users;
    boolean retired;

    Entry(OpeningKey key, long now) {
      this.key = key;
      this.created = now;
      this.lastUsed = now;
    }

    void retire() {
      retired = true;
      if (users == 0) {
        key.destroy();
      }
    }
  }

  /** One task's hold on a cached DEK. Not thread-safe; close once. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean closed;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public OpeningKey key() {
      if (closed) {
        throw new IllegalStateException("this DEK lease is closed");
      }
      return entry.key;
    }

    @Override
    public void close() {
      synchronized (entries) {
        if (closed) {
          return;
        }
        closed = true;
        entry.users--;
        entry.lastUsed = clock.millis();
        if (entry.retired && entry.users == 0) {
          entry.key.destroy();
        }
      }
    }
  }
}
