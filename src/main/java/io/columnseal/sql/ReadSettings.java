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
  private ReadSettings(String path, ReaderConfig c, OnUndecryptable on) {
    this.path = path;
    this.manifestPath = c.get("manifest.path");
    this.keyService = c.keyService();
    this.allowedKeys = KeyTrust.parse(c.allowedKeys());
    this.manifestMacKey = KeyTrust.macKey(c.get("manifest.macKey"));
    this.domainStore = c.get("encrypt.domainStore");
    this.onUndecryptable = on;
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
