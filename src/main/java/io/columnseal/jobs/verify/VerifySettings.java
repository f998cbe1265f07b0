package io.columnseal.jobs.verify;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.TrustedKeys;
import java.util.List;
import java.util.Objects;

/** A validated verify request: the constructor checks the values and names the option at fault. */
public final class VerifySettings {
  public final String datasetPath;
  public final String manifestPath;
  /** Null with {@code shallow}: no KMS call at all. */
  public final KeyServiceSpec keyService;
  /** Check that wrapped DEKs are well-formed instead of unwrapping them; decrypt no samples. */
  public final boolean shallow;
  public final int samplesPerFile;
  /** Columns that must be encrypted (from encrypt.columns), or empty. */
  public final List<String> sensitiveColumns;
  /** Where to write the JSON report; null for {@code _columnseal/reports/}. */
  public final String reportPath;
  /** The master keys the dataset's DEKs may be wrapped under; null for the default (docs/jobs/verify.md). */
  public final TrustedKeys allowedKeys;
  /** manifest.macKey: the HMAC key that must authenticate the manifest (docs/jobs/verify.md), or null. */
  public final String manifestMacKey;
  /** encrypt.domainStore: the store of named token domains (FORMAT.md section 11), or null. */
  public final String domainStore;

  public VerifySettings(String datasetPath, String manifestPath, KeyServiceSpec keyService, boolean shallow,
      int samplesPerFile, List<String> sensitiveColumns, String reportPath) {
    this(datasetPath, manifestPath, keyService, shallow, samplesPerFile, sensitiveColumns, reportPath, null);
  }

  /** @param allowedKeys kms.allowedKeys entries, or null for the default */
  public VerifySettings(String datasetPath, String manifestPath, KeyServiceSpec keyService, boolean shallow,
      int samplesPerFile, List<String> sensitiveColumns, String reportPath, List<String> allowedKeys) {
    this(datasetPath, manifestPath, keyService, shallow, samplesPerFile, sensitiveColumns, reportPath, allowedKeys, null);
  }

  /** @param manifestMacKey manifest.macKey (key id, alias or ARN of a KMS HMAC key), or null */
  public VerifySettings(String datasetPath, String manifestPath, KeyServiceSpec keyService, boolean shallow,
      int samplesPerFile, List<String> sensitiveColumns, String reportPath, List<String> allowedKeys,
      String manifestMacKey) {
    this(datasetPath, manifestPath, keyService, shallow, samplesPerFile, sensitiveColumns, reportPath, allowedKeys,
        manifestMacKey, null);
  }

  /** @param domainStore encrypt.domainStore, or null (deterministic and fpe columns of named domains need it) */
  public VerifySettings(String datasetPath, String manifestPath, KeyServiceSpec keyService, boolean shallow,
      int samplesPerFile, List<String> sensitiveColumns, String reportPath, List<String> allowedKeys,
      String manifestMacKey, String domainStore) {
    this.datasetPath = Objects.requireNonNull(datasetPath, "dataset");
    this.manifestPath = manifestPath;
    if (keyService == null && !shallow) {
      throw new ConfigException("Missing configuration key kms.provider: set it to local or aws (or verify --shallow)");
    }
    if (samplesPerFile < 0) {
      throw ConfigException.badValue("--samples", samplesPerFile, "a number of cells, 0 or more");
    }
    this.keyService = keyService;
    this.shallow = shallow;
    this.samplesPerFile = samplesPerFile;
    this.sensitiveColumns = List.copyOf(sensitiveColumns);
    this.reportPath = reportPath;
    this.allowedKeys = KeyTrust.parse(allowedKeys);
    this.manifestMacKey = KeyTrust.macKey(manifestMacKey);
    if (manifestMacKey != null && keyService == null) {
      throw new ConfigException("manifest.macKey needs kms.provider (VerifyMac is a KMS call, even with --shallow)");
    }
    this.domainStore = domainStore == null || domainStore.isEmpty() ? null : domainStore;
  }
}
