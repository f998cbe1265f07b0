package io.columnseal.jobs.decrypt;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.TrustedKeys;
import java.util.List;
import java.util.Objects;

/** A validated decrypt request: the constructor checks the values and names the option at fault. */
public final class DecryptSettings {
  public final String datasetPath;
  public final String manifestPath;
  public final String outputPath;
  public final String format;
  /** Columns to decrypt; empty means every encrypted column. */
  public final List<String> columns;
  public final KeyServiceSpec keyService;
  public final boolean overwrite;
  /** A cell that does not open: fail the job (default) or write null and count it. */
  public final OnCellError onError;
  /** The master keys the dataset's DEKs may be wrapped under; null for the default (docs/jobs/decrypt.md). */
  public final TrustedKeys allowedKeys;
  /** manifest.macKey: the HMAC key that must authenticate the manifest's head (docs/FORMAT.md 5.6), or null. */
  public final String manifestMacKey;
  /** encrypt.domainStore: the store of named token domains (FORMAT.md section 11), or null. */
  public final String domainStore;

  public DecryptSettings(String datasetPath, String manifestPath, String outputPath, String format,
      List<String> columns, KeyServiceSpec keyService, boolean overwrite) {
    this(datasetPath, manifestPath, outputPath, format, columns, keyService, overwrite, OnCellError.FAIL);
  }

  public DecryptSettings(String datasetPath, String manifestPath, String outputPath, String format,
      List<String> columns, KeyServiceSpec keyService, boolean overwrite, OnCellError onError) {
    this(datasetPath, manifestPath, outputPath, format, columns, keyService, overwrite, onError, null);
  }

  /** @param allowedKeys kms.allowedKeys entries, or null for the default */
  public DecryptSettings(String datasetPath, String manifestPath, String outputPath, String format,
      List<String> columns, KeyServiceSpec keyService, boolean overwrite, OnCellError onError, List<String> allowedKeys) {
    this(datasetPath, manifestPath, outputPath, format, columns, keyService, overwrite, onError, allowedKeys, null);
  }

  /** @param manifestMacKey manifest.macKey (key id, alias or ARN of a KMS HMAC key), or null */
  public DecryptSettings(String datasetPath, String manifestPath, String outputPath, String format,
      List<String> columns, KeyServiceSpec keyService, boolean overwrite, OnCellError onError, List<String> allowedKeys,
      String manifestMacKey) {
    this(datasetPath, manifestPath, outputPath, format, columns, keyService, overwrite, onError, allowedKeys,
        manifestMacKey, null);
  }

  /** @param domainStore encrypt.domainStore, or null (deterministic and fpe columns of named domains need it) */
  public DecryptSettings(String datasetPath, String manifestPath, String outputPath, String format,
      List<String> columns, KeyServiceSpec keyService, boolean overwrite, OnCellError onError, List<String> allowedKeys,
      String manifestMacKey, String domainStore) {
    this.datasetPath = Objects.requireNonNull(datasetPath, "dataset");
    this.manifestPath = manifestPath;
    this.outputPath = Objects.requireNonNull(outputPath, "output");
    this.format = Objects.requireNonNull(format, "format");
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw ConfigException.badValue("--format", format, "parquet or csv");
    }
    this.columns = List.copyOf(columns);
    this.keyService = Objects.requireNonNull(keyService, "kms");
    this.overwrite = overwrite;
    this.onError = Objects.requireNonNull(onError, "onError");
    this.allowedKeys = KeyTrust.parse(allowedKeys);
    this.manifestMacKey = KeyTrust.macKey(manifestMacKey);
    this.domainStore = domainStore == null || domainStore.isEmpty() ? null : domainStore;
  }
}
