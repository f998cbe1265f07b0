package io.columnseal.sql;

import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.dataset.KeyGroups;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DekRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which of a query's encrypted columns this caller may open, found on the driver by unwrapping
 * one DEK per master key of each column's key group, through the JVM's DEK cache (so a task in
 * the same JVM reuses it). Only kms:Decrypt refusals make a column undecryptable; any other KMS
 * error fails the query. Used where the answer must be known before any file is read: a
 * page-mode query (a refused column is not read at all) and onUndecryptable=raw (the schema says
 * which columns stay cells). A cell-mode query asks on the executors instead, DEK by DEK (the
 * opener). A query of clear columns only never comes here.
 */
final class KeyAccess {
  private KeyAccess() {}

  /**
   * @return the columns of {@code wanted} the caller may not open (empty when all open)
   * @throws io.columnseal.kms.KmsException naming the columns and master key, with {@link OnUndecryptable#FAIL}
   */
  static List<String> refused(DatasetSnapshot snap, KeyServiceSpec spec, List<String> wanted, OnUndecryptable on) {
    Map<String, List<String>> columnsOfGroup = new LinkedHashMap<>();
    for (String c : wanted) {
      columnsOfGroup.computeIfAbsent(groupOf(snap, c), g -> new ArrayList<>()).add(c);
    }
    KeyService kms = KeyServices.shared(spec);
    Set<String> live = snap.liveRuns();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, List<String>> g : columnsOfGroup.entrySet()) {
      Denial denied = deniedProbe(kms, probes(snap, g.getKey(), live));
      if (denied == null) {
        continue;
      }
      if (on == OnUndecryptable.FAIL) {
        throw denied.error.withOutcome("this caller may not decrypt column(s) " + String.join(", ", g.getValue())
            + " of dataset " + snap.state.datasetId() + " (master key " + denied.probe.keyArn()
            + (g.getKey().isEmpty() ? "" : ", key " + g.getKey()) + "); set onUndecryptable to "
            + (DatasetCellEncoding.isPage(snap.state) ? "null to read them as null" // page mode has no stored cells
                : "null or raw to read them as null or as stored cells") + ", or select other columns");
      }
      refused.addAll(g.getValue());
    }
    return refused;
  }

  /**
   * Page mode (docs/FORMAT.md section 12): every file's footer is signed under a DEK of the
   * kms.key group, and Parquet checks that signature before it decrypts any column, so a caller
   * who may not decrypt that group opens no encrypted column of the dataset, whatever its own
   * group. Returns whether the caller may not (with {@link OnUndecryptable#NULL}); a dataset
   * without column policies has one group, which {@link #refused} already probed.
   *
   * @throws io.columnseal.kms.KmsException naming the footer key and the columns, with {@link OnUndecryptable#FAIL}
   */
  static boolean footerRefused(DatasetSnapshot snap, KeyServiceSpec spec, List<String> columns, OnUndecryptable on) {
    boolean grouped = snap.state.deks().values().stream()
        .anyMatch(d -> d.encryptionContext().containsKey(KeyGroups.CONTEXT_KEY));
    if (!grouped) {
      return false;
    }
    Denial denied = deniedProbe(KeyServices.shared(spec), probes(snap, PageFormat.FOOTER_GROUP, snap.liveRuns()));
    if (denied == null) {
      return false;
    }
    if (on == OnUndecryptable.FAIL) {
      throw denied.error.withOutcome("this caller may not decrypt the footer key of page-mode dataset "
          + snap.state.datasetId() + " (master key " + denied.probe.keyArn() + ", key " + PageFormat.FOOTER_GROUP
          + "), which signs every file and so is needed to read column(s) " + String.join(", ", columns)
          + "; set onUndecryptable to null to read them as null, or select other columns");
    }
    return true;
  }

  /** A probe DEK whose unwrap KMS refused, with the refusal. */
  private record Denial(DekRecord probe, KmsAccessDeniedException error) {}

  /** The first of {@code probes} whose unwrap KMS refuses (kms:Decrypt), or null if all unwrap. */
  private static Denial deniedProbe(KeyService kms, Map<String, DekRecord> probes) {
    for (DekRecord probe : probes.values()) {
      try {
        DataKeyCache.shared().acquire(kms, probe.id(), probe.wrapped(), probe.context()).close();
      } catch (KmsAccessDeniedException e) {
        return new Denial(probe, e);
      }
    }
    return null;
  }

  /** A column's key group (FORMAT.md 5.2, version 5), or "" for a dataset without column policies. */
  private static String groupOf(DatasetSnapshot snap, String column) {
    for (ColumnRecord c : snap.state.schema()) {
      if (c.name().equals(column) && c.hasPolicy() && c.key() != null) {
        return c.key();
      }
    }
    return "";
  }

  /** One DEK per master key ARN of the group, preferring DEKs of runs whose files are live. */
  private static Map<String, DekRecord> probes(DatasetSnapshot snap, String group, Set<String> live) {
    Map<String, DekRecord> picked = new TreeMap<>();
    for (DekRecord d : snap.state.deks().values()) {
      if (!group.isEmpty() && !group.equals(d.encryptionContext().get(KeyGroups.CONTEXT_KEY))) {
        continue;
      }
      DekRecord had = picked.get(d.keyArn());
      if (had == null || !live.contains(had.runId()) && live.contains(d.runId())) {
        picked.put(d.keyArn(), d);
      }
    }
    return picked;
  }
}
