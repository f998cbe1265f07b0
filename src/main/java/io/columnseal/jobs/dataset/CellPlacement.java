package io.columnseal.jobs.dataset;

import io.columnseal.crypto.DekId;
import org.apache.hadoop.fs.Path;

/**
 * Checks, in one task, that each cell sits where its run put it (docs/FORMAT.md 8): its DEK is
 * one its file is bound to, and, in a file whose rows keep the sealing order, its counter
 * keeps the order of rows and columns. The sealer takes counters from one sequence per DEK,
 * row by row and column by column, so in such a file counter order equals (row, column) order
 * for the cells of each DEK; a cell swapped with another of the file breaks it. Splits of a
 * file may come in any order: each cell is compared with the last cell of its DEK seen in that
 * file, whichever side of it it is on.
 */
public final class CellPlacement {
  private final FileBindings bindings;
  private String lastFile;
  /** The caller's Path object of the current file: the same object for all its rows, so no toString per cell. */
  private Path lastPath;
  private FileBindings.Entry entry;
  /** The last DEK the current file was found bound to: a file's cells nearly all name one DEK. */
  private long allowedDek;
  private boolean allowedKnown;
  /**
   * Per DEK of the current file (a file holds a few): row, column ordinal and counter of the
   * last cell seen, and its column's name. Parallel primitive arrays, reused: no allocation per cell.
   */
  private long[] dekIds = new long[4];
  private long[] rows = new long[4];
  private long[] columns = new long[4];
  private long[] counters = new long[4];
  private String[] names = new String[4];
  private int deks;
  private int current;

  public CellPlacement(FileBindings bindings) {
    this.bindings = bindings;
  }

  /**
   * Why a cell of {@code file} naming DEK {@code dekId} is refused (its file is not live, or
   * not bound to that DEK), or null. Checked before the DEK is unwrapped.
   */
  public String bound(Path file, long dekId) {
    moveTo(file);
    if (entry == null) {
      return "file " + file + " is not a live file of the manifest";
    }
    if (allowedKnown && dekId == allowedDek) {
      return null;
    }
    if (!entry.allows(dekId)) {
      return "the cell names DEK " + DekId.fromLong(dekId) + ", which the manifest does not bind to file "
          + entry.path + " (a cell moved from another file?)";
    }
    allowedDek = dekId;
    allowedKnown = true;
    return null;
  }

  /**
   * Why the cell at {@code row} (from 0 in the file) of column {@code name} (at {@code column}
   * in the stored schema, whose order is the sealer's) in {@code file} is out of its file's
   * counter order, or null. It is compared with the previous cell of the same DEK read from the
   * file, so a swap is named at the first cell where the order breaks, with the cell it breaks
   * against. Ids only.
   */
  public String ordered(Path file, long row, int column, String name, long dekId, long counter) {
    moveTo(file);
    if (entry == null || !entry.ordered || row < 0) {
      return null;
    }
    int i = slotOf(dekId);
    String refused = null;
    if (i >= 0) {
      boolean after = row > rows[i] || (row == rows[i] && column > columns[i]);
      if (after ? counter <= counters[i] : counter >= counters[i]) {
        refused = "the cell has counter " + counter + " under DEK " + DekId.fromLong(dekId) + ", out of order with "
            + "column " + names[i] + " at row " + rows[i] + " (counter " + counters[i] + "): one of the two"
            + " cells was moved within file " + entry.path;
      }
    } else {
      i = add(dekId);
    }
    // The next cell is compared with this one, refused or not, so one moved cell is not
    // blamed for every cell after it.
    rows[i] = row;
    columns[i] = column;
    counters[i] = counter;
    names[i] = name;
    return refused;
  }

  /** The slot of {@code dekId} in the current file, or -1; the last one used is tried first. */
  private int slotOf(long dekId) {
    if (current < deks && dekIds[current] == dekId) {
      return current;
    }
    for (int i = 0; i < deks; i++) {
      if (dekIds[i] == dekId) {
        current = i;
        return i;
      }
    }
    return -1;
  }

  private int add(long dekId) {
    if (deks == dekIds.length) {
      int n = deks * 2;
      dekIds = java.util.Arrays.copyOf(dekIds, n);
      rows = java.util.Arrays.copyOf(rows, n);
      columns = java.util.Arrays.copyOf(columns, n);
      counters = java.util.Arrays.copyOf(counters, n);
      names = java.util.Arrays.copyOf(names, n);
    }
    dekIds[deks] = dekId;
    current = deks;
    return deks++;
  }

  private void moveTo(Path file) {
    if (file == lastPath) {
      return;
    }
    lastPath = file;
    String f = file.toString();
    if (!f.equals(lastFile)) {
      lastFile = f;
      entry = bindings.entry(file);
      allowedKnown = false;
      deks = 0;
      current = 0;
      java.util.Arrays.fill(names, null);
    }
  }
}
