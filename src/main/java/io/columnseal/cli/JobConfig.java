package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.PageAlgorithm;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.ParquetPages;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.kms.KeyServiceSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validated configuration of one command: typed getters that fail with one line naming the
 * key and what it allows. Built and checked on the driver before any Spark job or KMS call.
 */
final class JobConfig {
  private final Map<String, Object> values;

  private JobConfig(Map<String, Object> values) {
    this.values = values;
  }

  static JobConfig load(Path file, List<String> sets) {
    RawConfig raw = RawConfig.load(file, sets);
    ConfigKeys.checkKnown(raw.values());
    return new JobConfig(raw.values());
  }

  /** Already dotted keys (a data source's options): the same checks as a job spec. */
  static JobConfig of(Map<String, Object> values) {
    Map<String, Object> copy = new TreeMap<>(values);
    ConfigKeys.checkKnown(copy);
    return new JobConfig(copy);
  }

  String get(String key) {
    Object v = values.get(key);
    return v == null || v.toString().isEmpty() ? null : v.toString();
  }

  String require(String key) {
    String v = get(key);
    if (v == null) {
      throw new ConfigException("Missing configuration key " + key + ": set it to " + ConfigKeys.KEYS.get(key)
          + " (in --config or with --set " + key + "=...)");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  List<String> list(String key) {
    Object v = values.get(key);
    return v == null ? List.of() : List.copyOf((List<String>) v);
  }

  /**
   * encrypt.columns as entries: a plain name is randomized under kms.key; a mapping names its
   * protection, key and options (ColumnPolicy checks them, naming the column).
   */
  @SuppressWarnings("unchecked")
  List<ColumnPolicy> columnPolicies() {
    Object v = values.get("encrypt.columns");
    List<ColumnPolicy> out = new java.util.ArrayList<>();
    for (Object o : v == null ? List.of() : (List<Object>) v) {
      if (!(o instanceof Map)) {
        out.add(ColumnPolicy.randomized(o.toString()));
        continue;
      }
      Map<String, String> options = new TreeMap<>((Map<String, String>) o);
      String name = options.remove("name");
      boolean hasKey = options.containsKey("key");
      String key = options.remove("key");
      if (hasKey && key == null) {
        throw new ConfigException("Cannot set encrypt.columns entry " + name + ": key is empty; give a key id,"
            + " key ARN or alias/NAME, or leave it out for kms.key");
      }
      String protection = options.remove("protection");
      out.add(ColumnPolicy.of(name, protection, key, options));
    }
    return out;
  }

  /** The encrypt.columns that are sealed into cells (mask and drop leave none), for verify. */
  List<String> sealedColumns() {
    List<String> out = new java.util.ArrayList<>();
    columnPolicies().stream().filter(ColumnPolicy::sealed).forEach(p -> out.add(p.name));
    return out;
  }

  /** kms.allowedKeys, or null when unset (the readers' default applies); the settings check the entries. */
  List<String> allowedKeys() {
    return values.containsKey("kms.allowedKeys") ? list("kms.allowedKeys") : null;
  }

  Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(prefix) && v != null) {
        out.put(k.substring(prefix.length()), v.toString());
      }
    });
    return out;
  }

  <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
    String v = get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ConfigException.badValue(key, v, ConfigKeys.KEYS.get(key));
    }
  }

  String oneOf(String key, String fallback, String... allowed) {
    String v = get(key);
    if (v == null) {
      return fallback;
    }
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v)) {
        return a;
      }
    }
    throw ConfigException.badValue(key, v, String.join(" or ", allowed));
  }

  int positiveInt(String key) {
    String v = get(key);
    if (v == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw ConfigException.badValue(key, v, ConfigKeys.KEYS.get(key));
  }

  /**
   * Puts the manifest settings into the Hadoop configuration the job's manifest store reads:
   * {@code manifest.checkpointInterval}, a whole number of commits, 0 for never.
   */
  org.apache.hadoop.conf.Configuration manifestSettings(org.apache.hadoop.conf.Configuration conf) {
    String v = get("manifest.checkpointInterval");
    if (v != null) {
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        throw ConfigException.badValue("manifest.checkpointInterval", v, ConfigKeys.KEYS.get("manifest.checkpointInterval"));
      }
      conf.setInt(io.columnseal.manifest.ManifestStore.CHECKPOINT_INTERVAL, n);
    }
    return conf;
  }

  /** The key service from kms.provider and its keys; every command that touches keys needs it. */
  KeyServiceSpec keyService() {
    String provider = oneOf("kms.provider", null, "local", "aws");
    if (provider == null) {
      throw new ConfigException("Missing configuration key kms.provider: set it to local or aws");
    }
    if (provider.equals("local")) {
      for (String k : List.of("kms.region", "kms.endpoint", "kms.profile")) {
        if (get(k) != null) {
          throw new ConfigException("Cannot set " + k + " with kms.provider=local: it applies to kms.provider=aws");
        }
      }
      return KeyServiceSpec.local(require("kms.keyring"));
    }
    if (get("kms.keyring") != null) {
      throw new ConfigException("Cannot set kms.keyring with kms.provider=aws: it applies to kms.provider=local");
    }
    String endpoint = get("kms.endpoint");
    if (endpoint != null) {
      try {
        URI u = URI.create(endpoint);
        if (u.getScheme() == null || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw ConfigException.badValue("kms.endpoint", endpoint, "a URL such as https://kms.eu-west-1.amazonaws.com");
      }
    }
    checkKeyRegion(get("kms.key"), get("kms.region"));
    return KeyServiceSpec.aws(get("kms.region"), endpoint, get("kms.profile"));
  }

  /** KMS keys are regional: a key ARN of another Region would only fail later, at KMS, as not found. */
  private static void checkKeyRegion(String key, String region) {
    if (key == null || region == null || !key.startsWith("arn:")) {
      return;
    }
    String[] arn = key.split(":", 6);
    if (arn.length == 6 && !arn[3].isEmpty() && !arn[3].equals(region)) {
      throw new ConfigException("Cannot use kms.key " + key + " with kms.region " + region + ": the key is in Region "
          + arn[3] + "; KMS keys are regional (set kms.region to " + arn[3] + ", or use a key of " + region + ")");
    }
  }

  /** Maps the config keys to the builder, which checks every value. */
  EncryptSettings encryptSettings() {
    return EncryptSettings.builder()
        .policies(columnPolicies())
        .datasetId(require("dataset"))
        .inputPath(require("input.path"))
        .inputFormat(get("input.format"))
        .inputOptions(withPrefix("input.options."))
        .inputSchema(get("input.schema"))
        .encoding(choice("encrypt.cellEncoding", CellEncoding.class, null))
        .encryptMode(choice("encrypt.mode", EncryptMode.class, EncryptMode.CELL))
        .pageAlgorithm(choice("encrypt.pageAlgorithm", PageAlgorithm.class, null))
        .extraContext(withPrefix("encrypt.context."))
        .domainStore(get("encrypt.domainStore"))
        .keyService(keyService())
        .kmsKey(require("kms.key"))
        .outputPath(require("output.path"))
        .mode(choice("output.mode", OutputMode.class, OutputMode.ERROR))
        .partitionBy(list("output.partitionBy"))
        .partitions(positiveInt("output.partitions"))
        .allowRepeat("true".equals(oneOf("output.allowRepeat", "false", "true", "false")))
        .manifestPath(get("manifest.path"))
        .manifestMacKey(get("manifest.macKey"))
        .allowedKeys(allowedKeys())
        .malformed(choice("input.malformed", MalformedRows.class, MalformedRows.FAIL))
        .parquetPages(choice("output.parquetPages", ParquetPages.class, ParquetPages.V1))
        .build();
  }
}
