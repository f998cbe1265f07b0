package io.columnseal.jobs.dataset;

import io.columnseal.crypto.DekId;
import java.util.HashMap;
import java.util.Map;
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
  /** Per DEK of the current file: row, column ordinal and counter of the last cell seen, and its column's name. */
  private final Map<Long, long[]> last = new HashMap<>();
  private final Map<Long, String> lastColumn = new HashMap<>();

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
    if (!entry.allows(dekId)) {
      return "the cell names DEK " + DekId.fromLong(dekId) + ", which the manifest does not bind to file "
          + entry.path + " (a cell moved from another file?)";
    }
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
    long[] prev = last.get(dekId);
    String refused = null;
    if (prev != null) {
      boolean after = row > prev[0] || (row == prev[0] && column > prev[1]);
      if (after ? counter <= prev[2] : counter >= prev[2]) {
        refused = "the cell has counter " + counter + " under DEK " + DekId.fromLong(dekId) + ", out of order with "
            + "column " + lastColumn.get(dekId) + " at row " + prev[0] + " (counter " + prev[2] + "): one of the two"
            + " cells was moved within file " + entry.path;
      }
    }
    // The next cell is compared with this one, refused or not, so one moved cell is not
    // blamed for every cell after it.
    last.put(dekId, new long[] {row, column, counter});
    lastColumn.put(dekId, name);
    return refused;
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
      last.clear();
      lastColumn.clear();
    }
  }
}
