package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Unwrapped DEKs shared by the tasks of one executor JVM, so a DEK is unwrapped once per
 * executor rather than once per task or row. A key is held while any task uses it and
 * destroyed (zeroed) once no task has used it for {@link #IDLE_MILLIS}; nothing else keeps
 * plaintext DEKs alive. Keys never leave this class except to the task that acquired them.
 */
public final class DataKeyCache {
  static final long IDLE_MILLIS = 30_000;
  private static final Map<String, Entry> ENTRIES = new HashMap<>();

  private DataKeyCache() {}

  private static final class Entry {
    final OpeningKey key;
    int users;
    long lastRelease;

    Entry(OpeningKey key) {
      this.key = key;
    }
  }

  /** The DEK, unwrapped through KMS Decrypt if no task of this JVM holds it. Pair with {@link #release}. */
  public static OpeningKey acquire(KeyServiceSpec spec, String datasetId, DekId id, WrappedDek wrapped) {
    String k = datasetId + "/" + id.hex();
    synchronized (ENTRIES) {
      sweep(System.currentTimeMillis());
      Entry e = ENTRIES.get(k);
      if (e != null) {
        e.users++;
        return e.key;
      }
    }
    // Unwrap outside the lock: a KMS call may take a while; a rare double unwrap is harmless.
    OpeningKey key = KeyServices.shared(spec).decrypt(wrapped.wrapped(), id, wrapped.encryptionContext());
    synchronized (ENTRIES) {
      Entry e = ENTRIES.get(k);
      if (e != null) {
        key.destroy();
      } else {
        e = new Entry(key);
        ENTRIES.put(k, e);
      }
      e.users++;
      return e.key;
    }
  }

  public static void release(String datasetId, DekId id) {
    synchronized (ENTRIES) {
      Entry e = ENTRIES.get(datasetId + "/" + id.hex());
      if (e != null && e.users > 0) {
        e.users--;
        e.lastRelease = System.currentTimeMillis();
      }
      sweep(System.currentTimeMillis());
    }
  }

  /** Destroys every key no task holds; tests and job ends call it. */
  public static void destroyIdle() {
    synchronized (ENTRIES) {
      sweep(Long.MAX_VALUE);
    }
  }

  private static void sweep(long now) {
    for (Iterator<Entry> it = ENTRIES.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.users == 0 && now - e.lastRelease >= IDLE_MILLIS) {
        e.key.destroy();
        it.remove();
      }
    }
  }
}
