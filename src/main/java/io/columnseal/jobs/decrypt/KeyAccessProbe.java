package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KmsException;
import io.columnseal.manifest.DekRecord;
import io.columnseal.jobs.dataset.KeyGroups;
import java.util.Collection;
import java.util.List;
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
   * With column policies: unwraps one DEK of each key group of the chosen columns (preferring
   * DEKs of {@code runs}), and no DEK of another group. A failure names the columns of the group,
   * its key and master key ARN.
   */
  static void checkGroups(KeyServiceSpec spec, Collection<DekRecord> deks, Set<String> runs, List<String> chosen,
      String[] groups) {
    Map<String, List<String>> columnsOf = new LinkedHashMap<>();
    for (int k = 0; k < groups.length; k++) {
      if (groups[k] != null) {
        columnsOf.computeIfAbsent(groups[k], g -> new java.util.ArrayList<>()).add(chosen.get(k));
      }
    }
    KeyService kms = KeyServices.shared(spec);
    for (Map.Entry<String, List<String>> g : columnsOf.entrySet()) {
      DekRecord probe = null;
      for (DekRecord d : deks) {
        if (g.getKey().equals(d.encryptionContext().get(KeyGroups.CONTEXT_KEY))
            && (probe == null || runs.contains(d.runId()) && !runs.contains(probe.runId()))) {
          probe = d;
        }
      }
      if (probe == null) {
        continue; // no cell of the group's columns was sealed
      }
      try {
        kms.decrypt(probe.wrapped(), probe.id(), probe.context()).destroy();
      } catch (KmsException e) {
        throw e.withOutcome("checked before reading any data: decrypt needs kms:Decrypt on master key "
            + probe.keyArn() + " (key " + g.getKey() + " of column(s) " + String.join(", ", g.getValue())
            + "; probed with DEK " + probe.id() + "); no output was written; decrypt --columns without them"
            + " restores the others");
      }
    }
  }

  /**
   * Unwraps each DEK of {@code probes}, every one of them, so the answer does not depend on
   * which key sorts first; if any fails, the job ends with the first failure's KMS error,
   * which names its key ARN, noting how many other keys failed and that nothing was written.
   */
  static void check(KeyServiceSpec spec, Map<String, DekRecord> probes) {
    KeyService kms = KeyServices.shared(spec);
    KmsException first = null;
    DekRecord firstDek = null;
    int failed = 0;
    for (DekRecord d : probes.values()) {
      OpeningKey key;
      try {
        key = kms.decrypt(d.wrapped(), d.id(), d.context());
      } catch (KmsException e) {
        failed++;
        if (first == null) {
          first = e;
          firstDek = d;
        }
        continue;
      }
      // Only the unwrap matters: zero the key now rather than when the garbage collector runs.
      key.destroy();
    }
    if (first != null) {
      String others = failed > 1 ? " (and " + (failed - 1) + " other master key(s) of this dataset failed too)" : "";
      throw first.withOutcome("checked before reading any data: decrypt needs kms:Decrypt on master key "
          + firstDek.keyArn() + " (probed with DEK " + firstDek.id() + " of run " + firstDek.runId() + ")" + others
          + "; no output was written");
    }
  }
}
