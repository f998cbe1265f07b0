package io.columnseal.crypto.protect;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The protections a column can have (docs/FORMAT.md section 10), by their config names. */
public enum Protection {
  /** v1 cells under a DEK per partition (sections 2 to 4): the default. */
  RANDOMIZED(true, false, false),
  /** {@link DeterministicCipher}: v2 cells, equal values give equal cells in a domain. */
  DETERMINISTIC(true, true, true),
  /** {@link FormatPreservingCipher}: FF1 over digit strings. */
  FPE(true, true, true),
  /** {@link Tokenizer}: truncated HMAC, hex. */
  TOKEN(false, true, true),
  /** {@link Masker}: characters replaced, no key. */
  MASK(false, false, false),
  /** The column is not written. */
  DROP(false, false, false);

  private final boolean reversible;
  private final boolean joinable;
  private final boolean domainKey;

  Protection(boolean reversible, boolean joinable, boolean domainKey) {
    this.reversible = reversible;
    this.joinable = joinable;
    this.domainKey = domainKey;
  }

  /** The name in job specs and the manifest: lower case. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Decrypt restores the value. */
  public boolean reversible() {
    return reversible;
  }

  /** Equal values give equal outputs within a domain. */
  public boolean joinable() {
    return joinable;
  }

  /** Needs a {@link DomainKey}. */
  public boolean needsDomainKey() {
    return domainKey;
  }

  /**
   * @throws IllegalArgumentException naming the value and the allowed names, if unknown
   *     (exact lower-case names only)
   */
  public static Protection fromConfigName(String name) {
    for (Protection p : values()) {
      if (p.configName().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown protection '" + name + "'; the value must be one of "
        + Arrays.stream(values()).map(Protection::configName).collect(Collectors.joining(", ")));
  }
}
