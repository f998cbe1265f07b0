package io.columnseal.crypto;

import java.util.Objects;

/**
 * What a cell is bound to besides its DEK: the dataset, the column and the value type. These
 * go into the associated data (docs/FORMAT.md section 3), so a cell moved to another column or
 * dataset, or read as another type, fails authentication.
 */
public final class ColumnSpec {
  private final String datasetId;
  private final String column;
  private final CellType type;
  private final int precision;
  private final int scale;

  private ColumnSpec(String datasetId, String column, CellType type, int precision, int scale) {
    this.datasetId = requireText(datasetId, "dataset id");
    this.column = requireText(column, "column name");
    this.type = Objects.requireNonNull(type, "type");
    this.precision = precision;
    this.scale = scale;
  }

  public static ColumnSpec of(String datasetId, String column, CellType type) {
    if (type == CellType.DECIMAL) {
      throw new IllegalArgumentException("column " + column + ": a decimal needs precision and scale");
    }
    return new ColumnSpec(datasetId, column, type, 0, 0);
  }

  public static ColumnSpec decimal(String datasetId, String column, int precision, int scale) {
    CellType.decimalWidth(precision);
    if (scale < 0 || scale > precision) {
      throw new IllegalArgumentException("column " + column + ": decimal scale must be 0.." + precision + ", got " + scale);
    }
    return new ColumnSpec(datasetId, column, CellType.DECIMAL, precision, scale);
  }

  public String datasetId() {
    return datasetId;
  }

  public String column() {
    return column;
  }

  public CellType type() {
    return type;
  }

  public int precision() {
    return precision;
  }

  public int scale() {
    return scale;
  }

  /** The fixed plaintext width of this column's values, or -1 where it varies. */
  public int plaintextWidth() {
    return type == CellType.DECIMAL ? CellType.decimalWidth(precision) : type.fixedWidth();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ColumnSpec)) {
      return false;
    }
    ColumnSpec c = (ColumnSpec) o;
    return datasetId.equals(c.datasetId) && column.equals(c.column) && type == c.type
        && precision == c.precision && scale == c.scale;
  }

  @Override
  public int hashCode() {
    return Objects.hash(datasetId, column, type, precision, scale);
  }

  @Override
  public String toString() {
    String t = type == CellType.DECIMAL ? "decimal(" + precision + "," + scale + ")" : type.lowerName();
    return datasetId + "." + column + ":" + t;
  }

  private static String requireText(String s, String what) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return s;
  }
}
