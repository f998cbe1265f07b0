package io.columnseal.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The KMS encryption context of a DEK: non-secret key/value pairs that KMS binds to the wrapped
 * key (a Decrypt or ReEncrypt with other pairs fails) and writes to CloudTrail. columnseal sets
 * {@link #DATASET} and {@link #DEK}; a job spec may add more.
 */
public final class EncryptionContext {
  public static final String DATASET = "columnseal:dataset";
  public static final String DEK = "columnseal:dek";
  /** The pairs of a domain key's context (docs/FORMAT.md, "Domain records"). */
  public static final String DOMAIN = "columnseal:domain";
  public static final String DOMAIN_KEY = "columnseal:domainKey";

  private final TreeMap<String, String> pairs;

  private EncryptionContext(TreeMap<String, String> pairs) {
    this.pairs = pairs;
  }

  public static EncryptionContext of(Map<String, String> pairs) {
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
        throw new IllegalArgumentException("encryption context keys must be non-empty and values non-null");
      }
      copy.put(e.getKey(), e.getValue());
    }
    return new EncryptionContext(copy);
  }

  /** The context columnseal gives every KMS call about one DEK of one dataset. */
  public static EncryptionContext forDek(String datasetId, String dekIdHex, Map<String, String> extra) {
    TreeMap<String, String> m = new TreeMap<>(extra);
    m.put(DATASET, datasetId);
    m.put(DEK, dekIdHex);
    return of(m);
  }

  /**
   * The context of a token domain's key: the domain and the key id, nothing else, so any
   * dataset's job can open it (job-spec pairs would tie the key to one dataset's spec).
   */
  public static EncryptionContext forDomain(String domain, String domainKeyIdHex) {
    TreeMap<String, String> m = new TreeMap<>();
    m.put(DOMAIN, domain);
    m.put(DOMAIN_KEY, domainKeyIdHex);
    return of(m);
  }

  /** Sorted, unmodifiable. */
  public Map<String, String> asMap() {
    return Collections.unmodifiableMap(pairs);
  }

  public String get(String key) {
    return pairs.get(key);
  }

  /**
   * A canonical byte form (sorted keys, length-prefixed UTF-8), for backends that bind the
   * context themselves, like the local keyring.
   */
  public byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      writeField(out, e.getKey());
      writeField(out, e.getValue());
    }
    return out.toByteArray();
  }

  private static void writeField(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 24);
    out.write(b.length >>> 16);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.write(b, 0, b.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext && ((EncryptionContext) o).pairs.equals(pairs);
  }

  @Override
  public int hashCode() {
    return pairs.hashCode();
  }

  /** Contexts are not secret (KMS logs them in CloudTrail), so they may be printed. */
  @Override
  public String toString() {
    return pairs.toString();
  }
}
