package io.columnseal.jobs.domain;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.jobs.dataset.UnwrappedKeys;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DomainRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Unwrapped domain keys shared by the tasks of one JVM, so a domain key is unwrapped once per
 * executor. With the rules of {@code jobs.decrypt.DataKeyCache} ({@code jobs.dataset.UnwrappedKeys} keeps
 * both): a hit must match the wrapped blob (by
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
  private static final DomainKeyCache SHARED = new DomainKeyCache(Clock.systemUTC(), MAX_ENTRIES, IDLE, ABSOLUTE);
  private static ScheduledExecutorService sweeper;

  private final UnwrappedKeys<DomainKey> keys;

  public DomainKeyCache(Clock clock, int maxEntries, Duration idle, Duration absolute) {
    this.keys = new UnwrappedKeys<>(clock, maxEntries, idle, absolute, DomainKey::destroy);
  }

  /** The cache of this JVM, swept every few seconds by a daemon thread (as the DEK cache). */
  public static DomainKeyCache shared() {
    synchronized (DomainKeyCache.class) {
      if (sweeper == null) {
        sweeper = UnwrappedKeys.sweeper(SHARED.keys, "columnseal-domain-key-cache-sweeper");
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
    return new Lease(keys.acquire(kms, wrapped, context, () -> kms.decryptDomainKey(wrapped, domain, id, context)));
  }

  /** Puts a key this JVM just generated (record 1 it wrote), so its first use needs no Decrypt. */
  Lease adopt(KeyService kms, DomainRecord record, DomainKey key) {
    return new Lease(keys.put(kms, record.wrapped(), record.encryptionContext(), key));
  }

  public int size() {
    return keys.size();
  }

  public void sweep() {
    keys.sweep();
  }

  /** Retires every entry: idle keys are zeroed now, held ones at their last release. */
  public void clear() {
    keys.clear();
  }

  /** One task's hold on a cached domain key. Not thread-safe; close once. */
  public static final class Lease implements AutoCloseable {
    private final UnwrappedKeys.Lease<DomainKey> held;

    private Lease(UnwrappedKeys.Lease<DomainKey> held) {
      this.held = held;
    }

    public DomainKey key() {
      return held.key();
    }

    @Override
    public void close() {
      held.close();
    }
  }
}
