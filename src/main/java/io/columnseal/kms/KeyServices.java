package io.columnseal.kms;

import java.nio.file.Paths;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One key service per spec per JVM, built on first use. Executors call this from tasks, so
 * a client is built once per executor, never serialised, and shared by its task threads.
 */
public final class KeyServices {
  private static final ConcurrentHashMap<KeyServiceSpec, KeyService> SHARED = new ConcurrentHashMap<>();

  private KeyServices() {}

  public static KeyService shared(KeyServiceSpec spec) {
    return SHARED.computeIfAbsent(spec, KeyServices::open);
  }

  /** A new, unshared service; the caller closes it. */
  public static KeyService open(KeyServiceSpec spec) {
    switch (spec.provider()) {
      case LOCAL:
        return LocalKeyring.open(Paths.get(spec.keyring()));
      case AWS:
        return AwsKeyServices.open(spec);
      default:
        throw new IllegalStateException("unknown provider " + spec.provider());
    }
  }

  /**
   * Drops and closes the shared service of {@code spec}, so the next call re-reads it (the
   * local keyring file after a {@code keys rotate}, for instance).
   */
  public static void evict(KeyServiceSpec spec) {
    KeyService s = SHARED.remove(spec);
    if (s != null) {
      s.close();
    }
  }
}
