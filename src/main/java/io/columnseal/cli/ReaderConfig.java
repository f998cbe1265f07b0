package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.kms.KeyServiceSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configuration keys a reader of a dataset takes (the Spark data source and SQL functions),
 * checked by the same code as a job spec, so a notebook and a job say the same thing. Option
 * names match case-insensitively (Spark lower-cases data source options).
 */
public final class ReaderConfig {
  /** The keys that apply to reading a dataset in place. */
  public static final List<String> KEYS = List.of("kms.provider", "kms.keyring", "kms.region", "kms.endpoint",
      "kms.profile", "kms.allowedKeys", "manifest.path", "manifest.macKey", "encrypt.domainStore");

  private final JobConfig config;

  private ReaderConfig(JobConfig config) {
    this.config = config;
  }

  /**
   * @param options the caller's options, any case
   * @param own the caller's own option names (lower case), passed over here
   * @throws ConfigException naming an option that is neither a reader key nor one of {@code own}
   */
  public static ReaderConfig of(Map<String, String> options, Set<String> own) {
    Map<String, String> canonical = new TreeMap<>();
    KEYS.forEach(k -> canonical.put(k.toLowerCase(Locale.ROOT), k));
    Map<String, Object> values = new TreeMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      String lower = e.getKey().toLowerCase(Locale.ROOT);
      if (own.contains(lower)) {
        continue;
      }
      String key = canonical.get(lower);
      if (key == null) {
        throw new ConfigException("Unknown columnseal reader option " + e.getKey() + "; known options: "
            + String.join(", ", KEYS) + ", " + String.join(", ", new java.util.TreeSet<>(own)));
      }
      if (values.put(key, e.getValue()) != null) {
        throw new ConfigException("Cannot set columnseal reader option " + key + " twice");
      }
    }
    return new ReaderConfig(JobConfig.of(values));
  }

  public KeyServiceSpec keyService() {
    return config.keyService();
  }

  /** kms.allowedKeys, or null when unset (the readers' default applies). */
  public List<String> allowedKeys() {
    return config.allowedKeys();
  }

  public String get(String key) {
    return config.get(key);
  }
}
