package io.columnseal.sql;

import io.columnseal.ConfigException;
import io.columnseal.cli.ReaderConfig;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.TrustedKeys;
import java.util.Map;
import java.util.Set;

/**
 * The data source's options, validated on the driver: the CLI's reader keys plus path and
 * onUndecryptable. Driver-side only: executors get the key service spec and plain values.
 */
final class ReadSettings {
  static final Set<String> OWN = Set.of("path", "onundecryptable");

  final String path;
  final String manifestPath;
  final KeyServiceSpec keyService;
  final TrustedKeys allowedKeys;
  final String manifestMacKey;
  /** encrypt.domainStore: where named token domains' keys live (deterministic, fpe columns), or null. */
  final String domainStore;
  final OnUndecryptable onUndecryptable;
  /**
   * The reader keys as {@code DatasetSnapshot.readPages} hands them to a page-mode read's own
   * options (never the session's): the key service, kms.allowedKeys, manifest.macKey.
   */
  final Map<String, String> pageReaderConfig = new java.util.TreeMap<>();

  private ReadSettings(String path, ReaderConfig c, OnUndecryptable on) {
    this.path = path;
    this.manifestPath = c.get("manifest.path");
    this.keyService = c.keyService();
    this.allowedKeys = KeyTrust.parse(c.allowedKeys());
    this.manifestMacKey = KeyTrust.macKey(c.get("manifest.macKey"));
    this.domainStore = c.get("encrypt.domainStore");
    this.onUndecryptable = on;
    if (keyService.provider() == KeyServiceSpec.Provider.LOCAL) {
      pageReaderConfig.put("kms.provider", "local");
      pageReaderConfig.put("kms.keyring", keyService.keyring());
    } else {
      pageReaderConfig.put("kms.provider", "aws");
      pageReaderConfig.put("kms.region", keyService.region());
      pageReaderConfig.put("kms.endpoint", keyService.endpoint());
      pageReaderConfig.put("kms.profile", keyService.profile());
    }
    if (c.allowedKeys() != null) {
      pageReaderConfig.put("kms.allowedKeys", String.join(",", c.allowedKeys()));
    }
    pageReaderConfig.put("manifest.macKey", c.get("manifest.macKey"));
  }

  /** @param options Spark's options (keys may come lower-cased) */
  static ReadSettings of(Map<String, String> options) {
    String path = null;
    String on = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase("path")) {
        path = e.getValue();
      } else if (e.getKey().equalsIgnoreCase("onUndecryptable")) {
        on = e.getValue();
      }
    }
    if (path == null || path.isBlank()) {
      throw new ConfigException("Missing option path: the columnseal data source reads one dataset folder,"
          + " e.g. spark.read.format(\"columnseal\").load(\"s3://lake/cards_enc\")");
    }
    return new ReadSettings(path, ReaderConfig.of(options, OWN), OnUndecryptable.parse(on));
  }
}
