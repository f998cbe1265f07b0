package io.columnseal.jobs.decrypt;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.TrustedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The Hadoop keys {@link PageDecryption} reads (docs/FORMAT.md section 12, docs/READING.md): the
 * dataset, an optional manifest path and pinned version, and the reader config keys prefixed with
 * {@code columnseal.}, meaning what the CLI keys mean. Spark lower-cases the names of reader
 * options on their way into a scan's Hadoop configuration, so each key is looked up as written
 * and lower-cased. {@link #hadoopKeys} makes these keys for every columnseal reader.
 */
public final class PageReaderSettings {
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

  /**
   * The Hadoop keys a page-mode read of {@code snap} gives Parquet (docs/FORMAT.md section 12):
   * the factory, the dataset, its manifest folder when not the default, the snapshot's version
   * (pinned), and the reader settings prefixed with {@code columnseal.}; unset ones are left out.
   * The one place the decrypt job, verify and the data source get them from.
   *
   * @param allowedKeys kms.allowedKeys, or null for the default
   * @param macKey manifest.macKey, or null
   */
  public static Map<String, String> hadoopKeys(DatasetSnapshot snap, KeyServiceSpec k, TrustedKeys allowedKeys,
      String macKey) {
    Map<String, String> c = new TreeMap<>();
    c.put(PageFormat.FACTORY_KEY, PageFormat.DECRYPTION_FACTORY);
    c.put(PageFormat.DATASET_KEY, snap.path);
    c.put(PageFormat.VERSION_KEY, Long.toString(snap.state.version()));
    if (!snap.manifestDir.equals(DatasetFiles.manifestDir(snap.path, null))) {
      c.put(PageFormat.MANIFEST_PATH_KEY, snap.manifestDir.toString());
    }
    if (k.provider() == KeyServiceSpec.Provider.LOCAL) {
      c.put("columnseal.kms.provider", "local");
      c.put("columnseal.kms.keyring", k.keyring());
    } else {
      c.put("columnseal.kms.provider", "aws");
      putIfSet(c, "columnseal.kms.region", k.region());
      putIfSet(c, "columnseal.kms.endpoint", k.endpoint());
      putIfSet(c, "columnseal.kms.profile", k.profile());
    }
    if (allowedKeys != null) {
      c.put("columnseal.kms.allowedKeys", String.join(",", allowedKeys.entries()));
    }
    putIfSet(c, "columnseal.manifest.macKey", macKey);
    return c;
  }

  private static void putIfSet(Map<String, String> c, String key, String value) {
    if (value != null) {
      c.put(key, value);
    }
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
