package io.columnseal.crypto.protect;

import java.util.Locale;

/** What the {@code mask} protection keeps in clear (docs/FORMAT.md section 10.5). */
public enum MaskStyle {
  /** First 6 and last 4 characters (PCI DSS 3.4.1: BIN and last four). */
  FIRST6_LAST4(6, 4),
  /** Last 4 characters only. */
  LAST4(0, 4);

  private final int first;
  private final int last;

  MaskStyle(int first, int last) {
    this.first = first;
    this.last = last;
  }

  /** The name in job specs: {@code first6last4} or {@code last4}. */
  public String configName() {
    return name().replace("_", "").toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the value and the allowed names, if unknown */
  public static MaskStyle fromConfigName(String name) {
    for (MaskStyle s : values()) {
      if (s.configName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown mask style '" + name + "'; the value must be one of first6last4, last4");
  }

  int first() {
    return first;
  }

  int last() {
    return last;
  }
}
