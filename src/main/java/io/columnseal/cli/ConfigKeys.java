package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every configuration key columnseal knows, with what it allows. README's configuration
 * reference lists the same keys; an unknown key is an error that names it and the nearest
 * known key.
 */
final class ConfigKeys {
  /** Keys under these prefixes take any name after the prefix. */
  static final List<String> OPEN_PREFIXES = List.of("input.options.", "encrypt.context.");

  static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("dataset", EncryptSettings.DATASET_ID_RULE);
    KEYS.put("input.path", "a file, folder or glob to read");
    KEYS.put("input.format", "csv or parquet");
    KEYS.put("input.schema", "a Spark DDL schema, e.g. 'id INT, name STRING'");
    KEYS.put("input.malformed", "fail or quarantine (CSV rows Spark cannot parse)");
    KEYS.put("encrypt.columns", "a list of input columns, or entries {name: COLUMN, protection: P, key: K, ...}");
    KEYS.put("encrypt.cellEncoding", "binary or base64");
    KEYS.put("encrypt.mode", "cell or page (Parquet modular encryption of pages, docs/FORMAT.md section 12)");
    KEYS.put("encrypt.pageAlgorithm", "AES_GCM_V1 or AES_GCM_CTR_V1 (encrypt.mode=page)");
    KEYS.put("kms.provider", "local or aws");
    KEYS.put("kms.key", "a key id, key ARN, alias/NAME or alias ARN");
    KEYS.put("kms.keyring", "the local keyring file (kms.provider=local)");
    KEYS.put("kms.region", "an AWS region (kms.provider=aws)");
    KEYS.put("kms.endpoint", "a KMS endpoint URL (kms.provider=aws)");
    KEYS.put("kms.profile", "a named AWS profile (kms.provider=aws)");
    KEYS.put("kms.allowedKeys", "a list of key ARNs, alias ARNs or arn:aws:kms:REGION:ACCOUNT:key/* patterns");
    KEYS.put("output.path", "the dataset folder to write");
    KEYS.put("output.mode", "error, append or overwrite");
    KEYS.put("output.partitionBy", "a list of columns that are not encrypted");
    KEYS.put("output.partitions", "a whole number of Spark partitions (one DEK each), at least 1");
    KEYS.put("output.parquetPages", "v1 or v2 (Parquet data page version)");
    KEYS.put("output.allowRepeat", "true or false (append input files an earlier run already committed)");
    KEYS.put("manifest.path", "where the manifest lives, if not <dataset>/_columnseal");
    KEYS.put("encrypt.domainStore", "the domain store folder (named token domains; every command reads it)");
    KEYS.put("manifest.macKey", "a KMS HMAC key (key id, key ARN, alias/NAME or alias ARN) that authenticates commits");
    KEYS.put("manifest.checkpointInterval", "a whole number of commits between checkpoints, 0 for none (default 10)");
  }

  static final Set<String> LIST_KEYS = Set.of("encrypt.columns", "output.partitionBy", "kms.allowedKeys");
  private ConfigKeys() {}

  static boolean isList(String key) {
    return LIST_KEYS.contains(key);
  }

  /** A key whose value is a mapping of keys: {@code input}, {@code input.options}, ... */
  static boolean isMapPrefix(String key) {
    String p = key + ".";
    return KEYS.keySet().stream().anyMatch(k -> k.startsWith(p)) || OPEN_PREFIXES.contains(p);
  }

  /** The keys a mapping at {@code key} may hold, for messages: "input.path, input.format, ...". */
  static String under(String key) {
    String p = key + ".";
    List<String> names = new java.util.ArrayList<>();
    KEYS.keySet().stream().filter(k -> k.startsWith(p)).forEach(names::add);
    OPEN_PREFIXES.stream().filter(o -> o.startsWith(p)).forEach(o -> names.add(o + "<name>"));
    return names.isEmpty() ? p + "<name>" : String.join(", ", names);
  }

  /** Rejects unknown keys and values of the wrong shape, naming the key. */
  static void checkKnown(Map<String, Object> values) {
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String key = e.getKey();
      boolean open = OPEN_PREFIXES.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
      if (!open && !KEYS.containsKey(key)) {
        throw new ConfigException("Unknown configuration key " + key + nearest(key) + "; known keys: "
            + String.join(", ", KEYS.keySet()) + ", " + String.join("<name>, ", OPEN_PREFIXES) + "<name>");
      }
      Object v = e.getValue();
      if (isList(key)) {
        List<Object> list = listOf(v);
        if (key.equals("encrypt.columns") && list.isEmpty()) {
          // An empty list would encrypt nothing and still exit 0: refuse it.
          throw new ConfigException("Cannot set encrypt.columns to an empty list: name at least one input column to encrypt");
        }
        values.put(key, list);
      } else if (!isList(key) && v instanceof List) {
        throw ConfigException.badValue(key, v, KEYS.getOrDefault(key, "a single value") + " (one value, not a list)");
      }
    }
  }

  /** A list value as given (YAML list or comma-separated text), trimmed, blanks dropped. */
  private static List<Object> listOf(Object v) {
    List<Object> out = new java.util.ArrayList<>();
    if (v != null) {
      for (Object o : v instanceof List ? (List<?>) v : List.of(String.valueOf(v).split(","))) {
        if (o instanceof Map) { // an encrypt.columns entry with its protection, checked by the settings
          out.add(o);
          continue;
        }
        String s = String.valueOf(o).trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return List.copyOf(out);
  }

  private static String nearest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : KEYS.keySet()) {
      int d = distance(key.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
