package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.jobs.dataset.UnwrappedKeys;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.WrappedKey;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

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
  private static final DataKeyCache SHARED = new DataKeyCache(Clock.systemUTC(), MAX_ENTRIES, IDLE, ABSOLUTE);
  private static ScheduledExecutorService sweeper;

  private final UnwrappedKeys<OpeningKey> keys;

  public DataKeyCache(Clock clock, int maxEntries, Duration idle, Duration absolute) {
    this.keys = new UnwrappedKeys<>(clock, maxEntries, idle, absolute, OpeningKey::destroy);
  }

  /** The cache of this JVM, swept every few seconds by a daemon thread. */
  public static DataKeyCache shared() {
    synchronized (DataKeyCache.class) {
      if (sweeper == null) {
        sweeper = UnwrappedKeys.sweeper(SHARED.keys, "columnseal-dek-cache-sweeper");
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
    return new Lease(keys.acquire(kms, wrapped, context, () -> kms.decrypt(wrapped, id, context)));
  }

  /** Entries held now (retired keys that tasks still hold are not counted). */
  public int size() {
    return keys.size();
  }

  /** Retires what has expired; the timer of {@link #shared()} calls it. */
  public void sweep() {
    keys.sweep();
  }

  /**
   * Retires every entry: keys no task holds are zeroed now, held ones at their last release.
   * Decrypt, verify and quarantine read-back call it when their job ends.
   */
  public void clear() {
    keys.clear();
  }

  /** One task's hold on a cached DEK. Not thread-safe; close once. */
  public static final class Lease implements AutoCloseable {
    private final UnwrappedKeys.Lease<OpeningKey> held;

    private Lease(UnwrappedKeys.Lease<OpeningKey> held) {
      this.held = held;
    }

    public OpeningKey key() {
      return held.key();
    }

    @Override
    public void close() {
      held.close();
    }
  }
}
