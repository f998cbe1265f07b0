package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KmsException;
import io.columnseal.manifest.DekRecord;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Before Spark reads anything, unwraps one DEK under each master key a decrypt needs, on the
 * driver: a principal without kms:Decrypt on a key, a disabled key, a wrong region or keyring
 * fails here with one line naming the key, before any output exists, rather than in every
 * task after the output folder was made. The probe's plaintext DEK is destroyed at once.
 */
final class KeyAccessProbe {
  private KeyAccessProbe() {}

  /** The DEKs of {@code runs} (all DEKs if none of them is of those runs), one per master key ARN. */
  static Map<String, DekRecord> onePerKey(Collection<DekRecord> deks, Set<String> runs) {
    Map<String, DekRecord> picked = new TreeMap<>();
    for (DekRecord d : deks) {
      if (runs.contains(d.runId())) {
        picked.putIfAbsent(d.keyArn(), d);
      }
    }
    if (picked.isEmpty()) {
      deks.forEach(d -> picked.putIfAbsent(d.keyArn(), d));
    }
    return new LinkedHashMap<>(picked);
  }

  /**
   * Unwraps each DEK of {@code probes}; the first that fails ends the job with its KMS error,
   * which names the key ARN, and the note that nothing was written.
   */
  static void check(KeyServiceSpec spec, Map<String, DekRecord> probes) {
    KeyService kms = KeyServices.shared(spec);
    for (DekRecord d : probes.values()) {
      OpeningKey key;
      try {
        key = kms.decrypt(d.wrapped(), d.id(), d.context());
      } catch (KmsException e) {
        throw e.withOutcome("checked before reading any data: decrypt needs kms:Decrypt on master key "
            + d.keyArn() + " (probed with DEK " + d.id() + " of run " + d.runId() + "); no output was written");
      }
      // Only the unwrap matters: zero the key now rather than when the garbage collector runs.
      key.destroy();
    }
  }
}
