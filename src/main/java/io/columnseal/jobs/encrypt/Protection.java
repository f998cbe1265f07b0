package io.columnseal.jobs.encrypt;

import java.util.Locale;
import java.util.Set;

/**
 * How one column is protected (docs/jobs/encrypt.md "column policies"). Each protection allows
 * its own options; {@code mask} and {@code drop} use no key, so none may be given.
 */
public enum Protection {
  /** Today's AES-GCM cells under a per-partition DEK: reversible, not joinable. */
  RANDOMIZED(true, true, Set.of()),
  /** Equal values give equal cells within a domain: reversible, joinable. */
  DETERMINISTIC(true, true, Set.of("domain")),
  /** FF1 of digit strings, optionally keeping the first 6 and/or last 4 digits: reversible, joinable. */
  FPE(true, true, Set.of("domain", "keepFirst", "keepLast", "luhn")),
  /** HMAC-SHA-256, truncated: joinable, not reversible. */
  TOKEN(true, false, Set.of("domain", "bytes")),
  /** Clear text with all but the first 6 / last 4 digits replaced: irreversible. */
  MASK(false, false, Set.of("show")),
  /** Not written at all. */
  DROP(false, false, Set.of());

  /** Whether the column takes a master key (and so a DEK of that key's group). */
  public final boolean keyed;
  /** Whether decrypt restores the original value. */
  public final boolean reversible;
  /** The options this protection allows, beside {@code name}, {@code protection} and {@code key}. */
  public final Set<String> options;

  Protection(boolean keyed, boolean reversible, Set<String> options) {
    this.keyed = keyed;
    this.reversible = reversible;
    this.options = options;
  }

  /** Whether the column is sealed under its domain's key (FORMAT.md 10.1), not a DEK. */
  public boolean needsDomainKey() {
    return this == DETERMINISTIC || this == FPE || this == TOKEN;
  }

  /** The spelling of the config and the manifest. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the protection, or null if {@code name} is none */
  static Protection byName(String name) {
    for (Protection p : values()) {
      if (p.configName().equals(name)) {
        return p;
      }
    }
    return null;
  }

  static String allowed() {
    return "randomized, deterministic, fpe, token, mask or drop";
  }
}
