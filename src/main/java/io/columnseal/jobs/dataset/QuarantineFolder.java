package io.columnseal.jobs.dataset;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import org.apache.hadoop.fs.Path;

/**
 * Where an encrypt run's quarantine lives ({@code <manifest dir>/quarantine/<run>/}, docs/FORMAT.md
 * section 9) and how its cells are bound: shared by the writer (encrypt) and the read-back (decrypt).
 */
public final class QuarantineFolder {
  /**
   * The column name in the associated data of a quarantined record's cell. No input column can
   * have it (the {@code _columnseal_} prefix is reserved), so a quarantine cell copied into a
   * data column fails authentication, and a data cell cannot pass for a quarantined record.
   */
  public static final String CELL_COLUMN = "_columnseal_quarantine";
  public static final String DIR = "quarantine";

  private QuarantineFolder() {}

  public static Path runDir(Path manifestDir, String runId) {
    return new Path(new Path(manifestDir, DIR), runId);
  }

  public static ColumnSpec cellSpec(String datasetId) {
    return ColumnSpec.of(datasetId, CELL_COLUMN, CellType.STRING);
  }
}
