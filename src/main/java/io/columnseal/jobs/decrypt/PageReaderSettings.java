package io.columnseal.jobs.decrypt;

import io.columnseal.ConfigException;
import io.columnseal.kms.KeyServiceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * The Hadoop keys {@link PageDecryption} reads (docs/FORMAT.md section 12, docs/READING.md): the
 * dataset, an optional manifest path and pinned version, and the reader config keys prefixed with
 * {@code columnseal.}, meaning what the CLI keys mean. Spark lower-cases the names of reader
 * options on their way into a scan's Hadoop configuration, so each key is looked up as written
 * and lower-cased.
 */
final class PageReaderSettings {
  final String dataset;
  final String manifestPath;
  final Long version;
  final KeyServiceSpec keyService;
  final List<String> allowedKeys;
  final String macKey;
  private final String cacheKey;

  private PageReaderSettings(Configuration conf) {
    this.dataset = get(conf, PageDecryption.DATASET);
    if (dataset == null || dataset.isEmpty()) {
      throw new ConfigException("Missing Hadoop key " + PageDecryption.DATASET + ": " + PageDecryption.class.getName()
          + " needs the dataset root of the page-mode files it decrypts");
    }
    this.manifestPath = get(conf, PageDecryption.MANIFEST_PATH);
    String v = get(conf, PageDecryption.VERSION);
    try {
      this.version = v == null ? null : Long.valueOf(v);
    } catch (NumberFormatException e) {
      throw ConfigException.badValue(PageDecryption.VERSION, v, "a manifest version number");
    }
    this.keyService = keyService(conf);
    String allowed = get(conf, "columnseal.kms.allowedKeys");
    if (allowed == null) {
      this.allowedKeys = null;
    } else {
      List<String> entries = new ArrayList<>();
      for (String e : allowed.split(",")) {
        if (!e.trim().isEmpty()) {
          entries.add(e.trim());
        }
      }
      this.allowedKeys = entries;
    }
    this.macKey = get(conf, "columnseal.manifest.macKey");
    StringBuilder key = new StringBuilder();
    for (String k : List.of(PageDecryption.DATASET, PageDecryption.MANIFEST_PATH, PageDecryption.VERSION,
        "columnseal.kms.provider", "columnseal.kms.keyring", "columnseal.kms.region", "columnseal.kms.endpoint",
        "columnseal.kms.profile", "columnseal.kms.allowedKeys", "columnseal.manifest.macKey")) {
      key.append(k).append('=').append(get(conf, k)).append('\n');
    }
    this.cacheKey = key.toString();
  }

  static PageReaderSettings of(Configuration conf) {
    return new PageReaderSettings(conf);
  }

  String cacheKey() {
    return cacheKey;
  }

  private static KeyServiceSpec keyService(Configuration conf) {
    String provider = get(conf, "columnseal.kms.provider");
    if ("local".equalsIgnoreCase(provider)) {
      String keyring = get(conf, "columnseal.kms.keyring");
      if (keyring == null) {
        throw new ConfigException("Missing Hadoop key columnseal.kms.keyring: columnseal.kms.provider=local needs it");
      }
      return KeyServiceSpec.local(keyring);
    }
    if (provider == null || "aws".equalsIgnoreCase(provider)) {
      return KeyServiceSpec.aws(get(conf, "columnseal.kms.region"), get(conf, "columnseal.kms.endpoint"),
          get(conf, "columnseal.kms.profile"));
    }
    throw ConfigException.badValue("columnseal.kms.provider", provider, "local or aws");
  }

  static String get(Configuration conf, String key) {
    String v = conf.get(key);
    return v != null ? v : conf.get(key.toLowerCase(Locale.ROOT));
  }
}
