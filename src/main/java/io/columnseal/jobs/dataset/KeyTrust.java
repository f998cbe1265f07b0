package io.columnseal.jobs.dataset;

import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master keys a job may send wrapped DEKs of a dataset to ({@code kms.allowedKeys}, or the
 * default of {@link TrustedKeys#defaultFor}), checked on the driver before the job's first KMS
 * call with a wrapped key. decrypt, verify, rewrap and recover call {@link #check}.
 */
public final class KeyTrust {
  private static final Logger LOG = LoggerFactory.getLogger(KeyTrust.class);

  private KeyTrust() {}

  /** The configured list, or without one the default for this manifest. */
  public static TrustedKeys effective(TrustedKeys configured, ManifestState state) {
    if (configured != null) {
      return configured;
    }
    Set<String> first = new LinkedHashSet<>();
    for (Commit c : state.history()) {
      if (!c.addedDeks().isEmpty()) {
        c.addedDeks().forEach(d -> first.add(d.keyArn()));
        break;
      }
    }
    return TrustedKeys.defaultFor(first);
  }

  /** How many of {@code deks} each master key ARN wraps. */
  public static Map<String, Long> countByKey(Collection<DekRecord> deks) {
    Map<String, Long> out = new TreeMap<>();
    deks.forEach(d -> out.merge(d.keyArn(), 1L, Long::sum));
    return out;
  }

  /**
   * Refuses ({@link io.columnseal.kms.UntrustedKeyException}) when a DEK of the manifest is
   * wrapped under a key that is not trusted. {@code kms} resolves alias entries, only if needed;
   * null when the job has no key service.
   */
  public static void check(TrustedKeys configured, ManifestState state, KeyService kms, String job) {
    check(configured, state, countByKey(state.deks().values()), kms, job);
  }

  /** As above, for DEKs counted by the caller (recover adds those of pending records). */
  public static void check(TrustedKeys configured, ManifestState state, Map<String, Long> dekCountByKeyArn,
      KeyService kms, String job) {
    TrustedKeys trusted = effective(configured, state);
    trusted.check(dekCountByKeyArn, kms, job + " of dataset " + state.datasetId());
    LOG.info("{} of dataset {}: the master keys of its {} DEKs are allowed by {}", job, state.datasetId(),
        dekCountByKeyArn.values().stream().mapToLong(Long::longValue).sum(), trusted.source());
  }

  private static final java.util.regex.Pattern KEY_REFERENCE = java.util.regex.Pattern.compile("[A-Za-z0-9:/_.+=@-]{1,2048}");

  /**
   * manifest.macKey as configured (null: not set), checked for the shape of a key id, alias or
   * ARN; a bad value is named by its length only, as it may be something pasted by mistake.
   */
  public static String macKey(String configured) {
    if (configured != null && !KEY_REFERENCE.matcher(configured).matches()) {
      throw new io.columnseal.ConfigException("Cannot set manifest.macKey: the value (" + configured.length()
          + " characters) is not a key id, alias or ARN");
    }
    return configured;
  }

  /** The MAC key a job checks commits with, over {@code kms}; null when manifest.macKey is not set. */
  public static io.columnseal.manifest.ManifestMacKey macKey(KeyService kms, String configured) {
    return configured == null ? null : new io.columnseal.manifest.ManifestMacKey(kms, configured);
  }

  /** As {@link #macKey(KeyService, String)}; the key service is opened only when the key is set. */
  public static io.columnseal.manifest.ManifestMacKey macKey(io.columnseal.kms.KeyServiceSpec spec, String configured) {
    return configured == null ? null : macKey(io.columnseal.kms.KeyServices.shared(spec), configured);
  }

  /** As {@link #writerMacKey(KeyService, String)}; the key service is opened only when the key is set. */
  public static io.columnseal.manifest.ManifestMacKey writerMacKey(io.columnseal.kms.KeyServiceSpec spec,
      String configured) {
    return configured == null ? null : writerMacKey(io.columnseal.kms.KeyServices.shared(spec), configured);
  }

  /** {@link #macKey(KeyService, String)} as a writer (encrypt, rewrap, recover) uses it. */
  public static io.columnseal.manifest.ManifestMacKey writerMacKey(KeyService kms, String configured) {
    return configured == null ? null : macKey(kms, configured).forWriter();
  }

  /** Entries of the list, for a Java caller that has strings: null or absent means the default. */
  public static TrustedKeys parse(List<String> entries) {
    return entries == null ? null : TrustedKeys.of(entries);
  }
}
