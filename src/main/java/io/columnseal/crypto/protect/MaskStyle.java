package io.columnseal.crypto.protect;

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

  int first() {
    return first;
  }

  int last() {
    return last;
  }
}
