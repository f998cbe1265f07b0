package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.jobs.dataset.DatasetException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cell spec of an encrypted column from the type its manifest records (Spark's catalog
 * string, as encrypt wrote it: docs/FORMAT.md section 4 lists them), without Spark: rewrap runs
 * no Spark job and needs none on its classpath.
 */
final class ColumnTypes {
  private static final Map<String, CellType> BY_NAME = Map.ofEntries(
      Map.entry("string", CellType.STRING), Map.entry("boolean", CellType.BOOLEAN),
      Map.entry("tinyint", CellType.BYTE), Map.entry("smallint", CellType.SHORT), Map.entry("int", CellType.INT),
      Map.entry("bigint", CellType.LONG), Map.entry("float", CellType.FLOAT), Map.entry("double", CellType.DOUBLE),
      Map.entry("date", CellType.DATE), Map.entry("timestamp", CellType.TIMESTAMP),
      Map.entry("timestamp_ntz", CellType.TIMESTAMP_NTZ), Map.entry("binary", CellType.BINARY));
  private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d{1,2}),(\\d{1,2})\\)");

  private ColumnTypes() {}

  static ColumnSpec spec(String datasetId, String column, String type) {
    CellType t = BY_NAME.get(type);
    if (t != null) {
      return ColumnSpec.of(datasetId, column, t);
    }
    Matcher m = DECIMAL.matcher(type);
    if (m.matches()) {
      return ColumnSpec.decimal(datasetId, column, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }
    throw new DatasetException("the manifest of dataset " + datasetId + " records encrypted column " + column
        + " with type " + type + ", which no cell holds");
  }
}
