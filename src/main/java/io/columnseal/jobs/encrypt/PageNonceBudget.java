package io.columnseal.jobs.encrypt;

/**
 * Bounds the AES-GCM invocations PME makes under each DEK of a page-mode task (docs/FORMAT.md
 * 12.1): a group's "slots" are the task's rows times its encrypted columns (plus one per row for
 * the footer key's group, which signs each file's footer). Every data page holds at least one row
 * of its column, null or not, and every column chunk at least one data page, so slots bound pages
 * and chunks; PME makes at most 2 GCM invocations per data page and 7 per chunk, 1 per footer:
 * at most 9 x slots, which {@link #MAX_SLOTS_PER_DEK} keeps below NIST SP 800-38D's 2^32.
 */
final class PageNonceBudget {
  static final long MAX_SLOTS_PER_DEK = 1L << 28;

  /** Per key group: slots one row takes. */
  private final int[] perRow;
  private final long maxRows;
  private final int widest;
  private long rows;

  PageNonceBudget(int[] perRow, long maxSlots) {
    this.perRow = perRow.clone();
    int w = 0;
    for (int g = 1; g < perRow.length; g++) {
      if (perRow[g] > perRow[w]) {
        w = g;
      }
    }
    this.widest = w;
    this.maxRows = perRow.length == 0 || perRow[w] == 0 ? Long.MAX_VALUE : maxSlots / perRow[w];
  }

  /** Slots per row of each group for a plan: its encrypted columns, plus one for the footer key's group. */
  static int[] slotsPerRow(int groups, int[] groupOf, int footerGroup) {
    int[] perRow = new int[groups];
    for (int g : groupOf) {
      perRow[g]++;
    }
    perRow[footerGroup]++;
    return perRow;
  }

  /** Counts one row; false when it would take a group past the bound (see {@link #widestGroup()}). */
  boolean row() {
    return ++rows <= maxRows;
  }

  /** The group that reaches the bound first. */
  int widestGroup() {
    return widest;
  }

  long slotsPerRow(int g) {
    return perRow[g];
  }
}
