package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.Protection;
import io.columnseal.crypto.protect.FpeOptions;
import io.columnseal.crypto.protect.Tokenizer;
import io.columnseal.jobs.domain.WrappedDomainKey;
import java.io.Serializable;
import java.util.Map;

/**
 * A deterministic, fpe or token column as executors apply it: the protection, the checked
 * domain record (the driver resolved it, FORMAT.md section 11) and the protection's options as
 * plain values. Not secret: tasks unwrap the key through the JVM's domain key cache.
 */
final class DomainProtection implements Serializable {
  private static final long serialVersionUID = 1L;

  final Protection protection;
  final WrappedDomainKey key;
  final boolean keepFirst6;
  final boolean keepLast4;
  final boolean luhn;
  final int tokenBytes;

  DomainProtection(Protection protection, WrappedDomainKey key, Map<String, String> options) {
    this.protection = protection;
    this.key = key;
    this.keepFirst6 = "6".equals(options.get("keepFirst"));
    this.keepLast4 = "4".equals(options.get("keepLast"));
    this.luhn = "true".equals(options.get("luhn"));
    this.tokenBytes = options.containsKey("bytes") ? Integer.parseInt(options.get("bytes"))
        : Tokenizer.DEFAULT_TOKEN_BYTES;
  }

  FpeOptions fpeOptions() {
    return new FpeOptions(keepFirst6, keepLast4, luhn);
  }

  /** The domain of a column: its {@code domain} option, else the dataset and column (FORMAT.md 10.1). */
  static String domainOf(String datasetId, String column, Map<String, String> options) {
    String d = options.get("domain");
    return d != null ? d : io.columnseal.jobs.domain.DomainKeys.defaultDomain(datasetId, column);
  }
}
