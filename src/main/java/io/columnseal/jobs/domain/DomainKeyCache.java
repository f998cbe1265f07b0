package io.columnseal.jobs.domain;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import io.columnseal.kms.KeyService;
import io.columnseal.manifest.DomainRecord;
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
 * Unwrapped domain keys shared by the tasks of one JVM, so a domain key is unwrapped once per
 * executor. The sibling of {@code jobs.decrypt.DataKeyCache} with the same rules (that class
 * holds {@code OpeningKey}s, which a domain key is not): a hit must match the wrapped blob (by
 * SHA-256), the key ARN, the encryption context and the caller ({@link KeyService#identity}), so
 * a second principal makes its own KMS Decrypt and gets its own AccessDenied.
 *
 * <p>Bounded (least recently used retired first); an entry no task holds is zeroed after
 * {@code idle}; every entry is retired {@code absolute} after its unwrap; a retired key that a
 * task still holds is zeroed at its last release. Longer lifetimes than the DEK cache's (5 and
 * 30 minutes): one domain key serves every partition of a job, and there are few of them.
 */
public final class DomainKeyCache {
  static final int MAX_ENTRIES = 1_000;
  static final Duration IDLE = Duration.ofMinutes(5);
  static final Duration ABSOLUTE = Duration.ofMinutes(30);
  private static final long SWEEP_SECONDS = 10;
  private static final DomainKeyCache SHARED = new DomainKeyCache(Clock.systemUTC(), MAX_ENTRIES, IDLE, ABSOLUTE);
  private static ScheduledExecutorService sweeper;

  private final Clock clock;
  private final int maxEntries;
  private final long idleMillis;
  private final long absoluteMillis;
  private final LinkedHashMap<CacheKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  public DomainKeyCache(Clock clock, int maxEntries, Duration idle, Duration absolute) {
    if (maxEntries < 1 || idle.isNegative() || absolute.isNegative()) {
      throw new IllegalArgumentException("a domain key cache needs maxEntries >= 1 and non-negative expiries");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxEntries = maxEntries;
    this.idleMillis = idle.toMillis();
    this.absoluteMillis = absolute.toMillis();
  }

  /** The cache of this JVM, swept every few seconds by a daemon thread (as the DEK cache). */
  public static DomainKeyCache shared() {
    synchronized (DomainKeyCache.class) {
      if (sweeper == null) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "columnseal-domain-key-cache-sweeper");
          t.setDaemon(true);
          return t;
        });
        sweeper.scheduleWithFixedDelay(SHARED::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
      }
    }
    return SHARED;
  }

  /**
   * The domain key of {@code record}, from a matching entry or unwrapped with KMS Decrypt as the
   * caller of {@code kms}. The record must already have passed the caller's trust checks. Close
   * the lease when done.
   */
  public Lease acquire(KeyService kms, DomainRecord record) {
    return acquire(kms, record.domain(), record.domainKeyId(), record.wrapped(), record.encryptionContext());
  }

  /** As {@link #acquire(KeyService, DomainRecord)}, from the parts (a {@link WrappedDomainKey} on an executor). */
  public Lease acquire(KeyService kms, String domain, DekId id, WrappedKey wrapped, EncryptionContext context) {
    CacheKey k = new CacheKey(kms.identity(), wrapped.keyArn(), sha256(wrapped.blob()), new TreeMap<>(context.asMap()));
    synchronized (entries) {
      sweepLocked(clock.millis());
      Entry e = entries.get(k);
      if (e != null) {
        e.users++;
        return new Lease(e);
      }
    }
    DomainKey key = kms.decryptDomainKey(wrapped, domain, id, context);
    return put(k, key);
  }

  /** Puts a key this JVM just generated (record 1 it wrote), so its first use needs no Decrypt. */
  Lease adopt(KeyService kms, DomainRecord record, DomainKey key) {
    CacheKey k = new CacheKey(kms.identity(), record.keyArn(), sha256(record.wrapped().blob()),
        new TreeMap<>(record.encryptionContext().asMap()));
    return put(k, key);
  }

  private Lease put(CacheKey k, DomainKey key) {
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

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  public void sweep() {
    synchronized (entries) {
      sweepLocked(clock.millis());
    }
  }

  /** Retires every entry: idle keys are zeroed now, held ones at their last release. */
  public void clear() {
    synchronized (entries) {
      retireEldestBeyond(0);
    }
  }

  private void sweepLocked(long now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if ((e.users == 0 && now - e.lastUsed >= idleMillis) || now - e.created >= absoluteMillis) {
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
    final DomainKey key;
    final long created;
    long lastUsed;
    int users;
    boolean retired;

    Entry(DomainKey key, long now) {
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

  /** One task's hold on a cached domain key. Not thread-safe; close once. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean closed;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public DomainKey key() {
      if (closed) {
        throw new IllegalStateException("this domain key lease is closed");
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
