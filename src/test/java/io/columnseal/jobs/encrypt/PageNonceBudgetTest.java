package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Page mode's per-DEK bound on GCM invocations (FORMAT.md 12.1) counts rows x columns, not values. */
class PageNonceBudgetTest {
  @Test
  void slotsPerRowAreTheGroupsEncryptedColumnsPlusTheFooterKey() {
    // Columns 0 and 2 in group 1, column 1 in group 0 (kms.key's, the footer key); group 2 has none.
    assertArrayEquals(new int[] {2, 2, 0}, PageNonceBudget.slotsPerRow(3, new int[] {1, 0, 1}, 0));
    assertArrayEquals(new int[] {1, 0}, PageNonceBudget.slotsPerRow(2, new int[] {}, 0));
  }

  @Test
  void theWidestGroupStopsTheRowThatPassesTheBound() {
    PageNonceBudget b = new PageNonceBudget(new int[] {1, 3, 0}, 10);
    for (int r = 1; r <= 3; r++) {
      assertTrue(b.row(), "row " + r);
    }
    // A fourth row would give group 1 (3 columns) 12 slots > 10, whatever its values (nulls too).
    assertFalse(b.row());
    assertEquals(1, b.widestGroup());
    assertEquals(3, b.slotsPerRow(1));
  }

  @Test
  void theBoundKeepsNineInvocationsPerSlotBelowTwoToThe32() {
    assertEquals(1L << 28, PageNonceBudget.MAX_SLOTS_PER_DEK);
    assertTrue(9 * PageNonceBudget.MAX_SLOTS_PER_DEK < (1L << 32));
  }
}
