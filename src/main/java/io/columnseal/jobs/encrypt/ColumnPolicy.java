package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;
import io.columnseal.crypto.protect.Protection;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One entry of {@code encrypt.columns}: a column, its protection, its master key (null: the
 * job's {@code kms.key}) and the protection's options. Checked as it is made, so the Java API and
 * the CLI refuse the same entries, each refusal naming the column.
 */
public final class ColumnPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, Set<String>> OPTION_VALUES = Map.of(
      "keepFirst", Set.of("6", "0"),
      "keepLast", Set.of("4", "0"),
      "luhn", Set.of("true", "false"),
      "show", Set.of("first6last4", "last4"));

  /** The options each protection allows, beside {@code name}, {@code protection} and {@code key}. */
  private static final Map<Protection, Set<String>> OPTIONS = Map.of(
      Protection.RANDOMIZED, Set.of(),
      Protection.DETERMINISTIC, Set.of("domain"),
      Protection.FPE, Set.of("domain", "keepFirst", "keepLast", "luhn"),
      Protection.TOKEN, Set.of("domain", "bytes"),
      Protection.MASK, Set.of("show"),
      Protection.DROP, Set.of());

  public final String name;
  public final Protection protection;
  /** The configured key reference, or null for {@code kms.key}. */
  public final String key;
  public final TreeMap<String, String> options;

  private ColumnPolicy(String name, Protection protection, String key, Map<String, String> options) {
    this.name = name;
    this.protection = protection;
    this.key = key;
    this.options = new TreeMap<>(options);
  }

  /** A plain name of the list: randomized under {@code kms.key}. */
  public static ColumnPolicy randomized(String name) {
    return of(name, "randomized", null, Map.of());
  }

  /**
   * @param protection the config spelling; null means randomized
   * @throws ConfigException naming the column: unknown protection or option, a bad option value,
   *     a key for a protection that takes none
   */
  public static ColumnPolicy of(String name, String protection, String key, Map<String, String> options) {
    if (name == null || name.isBlank()) {
      throw new ConfigException("Cannot set encrypt.columns: an entry has no name (give {name: COLUMN, protection: ...})");
    }
    String at = "Cannot set encrypt.columns entry " + name + ": ";
    Protection p;
    try {
      p = protection == null ? Protection.RANDOMIZED : Protection.fromConfigName(protection);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at + "protection " + protection + " is unknown; it must be randomized, deterministic,"
          + " fpe, token, mask or drop");
    }
    if (key != null && !keyed(p)) {
      throw new ConfigException(at + "protection " + p.configName() + " uses no key; leave out key " + key);
    }
    if (key != null && key.isBlank()) {
      throw new ConfigException(at + "key is empty; give a key id, key ARN or alias/NAME, or leave it out for kms.key");
    }
    Map<String, String> opts = options == null ? Map.of() : options;
    for (Map.Entry<String, String> o : opts.entrySet()) {
      Set<String> allowed = OPTIONS.get(p);
      if (!allowed.contains(o.getKey())) {
        throw new ConfigException(at + "option " + o.getKey() + " is unknown for protection " + p.configName()
            + (allowed.isEmpty() ? ", which takes none" : "; it takes " + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
      checkValue(at, o.getKey(), o.getValue());
    }
    return new ColumnPolicy(name, p, key, opts);
  }

  private static void checkValue(String at, String option, String value) {
    Set<String> allowed = OPTION_VALUES.get(option);
    if (allowed != null && !allowed.contains(value)) {
      throw new ConfigException(at + "option " + option + " cannot be " + value + "; it must be "
          + String.join(" or ", new java.util.TreeSet<>(allowed).descendingSet()));
    }
    if (option.equals("bytes")) {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 8 || n > 32) {
        throw new ConfigException(at + "option bytes cannot be " + value + "; it must be a whole number from 8 to 32");
      }
    }
    if (option.equals("domain") && !value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new ConfigException(at + "option domain cannot be " + value
          + "; it must be letters, digits, '.', '_' or '-', at most 128 characters");
    }
  }

  /** One entry per column; no protection on a partition column (its values are folder names). */
  static void checkAll(List<ColumnPolicy> policies, List<String> partitionBy) {
    Set<String> seen = new HashSet<>();
    Map<String, ColumnPolicy> byDomain = new java.util.HashMap<>();
    for (ColumnPolicy p : policies) {
      // FORMAT.md 10.1: a domain serves one protection; two would show which values are equal.
      String domain = p.options.get("domain");
      ColumnPolicy first = domain == null ? null : byDomain.putIfAbsent(domain, p);
      if (first != null && first.protection != p.protection) {
        throw new ConfigException("Cannot set encrypt.columns entry " + p.name + ": domain " + domain + " is already"
            + " used by column " + first.name + " with protection " + first.protection.configName()
            + "; a domain serves one protection, so give " + p.name + " another domain");
      }
      if (!seen.add(p.name)) {
        throw new ConfigException("Cannot set encrypt.columns: column " + p.name + " is named twice; give it once,"
            + " with one protection");
      }
      if (partitionBy.contains(p.name)) {
        throw new ConfigException("output.partitionBy names " + p.name + ", which is "
            + (p.protection == Protection.RANDOMIZED ? "encrypted" : "protected (" + p.protection.configName() + ")")
            + ": partition values are folder names in clear text; partition by a column that is not sensitive");
      }
    }
  }

  /** Whether this entry says nothing a plain name does not: randomized under kms.key. */
  public boolean isPlain() {
    return protection == Protection.RANDOMIZED && key == null && options.isEmpty();
  }

  /** Whether cells of this column are sealed under a DEK (of its key's group). */
  public boolean sealed() {
    return keyed(protection);
  }

  /** Whether a protection takes a master key: all but mask and drop (domain protections wrap their domain key under it). */
  static boolean keyed(Protection p) {
    return p != Protection.MASK && p != Protection.DROP;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ColumnPolicy)) {
      return false;
    }
    ColumnPolicy c = (ColumnPolicy) o;
    return c.name.equals(name) && c.protection == protection && Objects.equals(c.key, key) && c.options.equals(options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, protection, key, options);
  }

  @Override
  public String toString() {
    return name + " " + protection.configName() + (key == null ? "" : " " + key) + (options.isEmpty() ? "" : " " + options);
  }
}
