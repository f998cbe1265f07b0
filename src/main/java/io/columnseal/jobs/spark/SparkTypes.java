package io.columnseal.jobs.spark;

import io.columnseal.ConfigException;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/** Maps Spark SQL types to the cell value types of docs/FORMAT.md section 4. */
public final class SparkTypes {
  private SparkTypes() {}

  /**
   * The cell spec for a column of {@code type}.
   *
   * @throws ConfigException for nested and other types a cell cannot hold (refused, not flattened)
   */
  public static ColumnSpec columnSpec(String datasetId, String column, DataType type) {
    if (type instanceof DecimalType) {
      DecimalType d = (DecimalType) type;
      return ColumnSpec.decimal(datasetId, column, d.precision(), d.scale());
    }
    return ColumnSpec.of(datasetId, column, cellType(column, type));
  }

  public static CellType cellType(String column, DataType type) {
    if (type instanceof StringType) {
      return CellType.STRING;
    } else if (type instanceof BooleanType) {
      return CellType.BOOLEAN;
    } else if (type instanceof ByteType) {
      return CellType.BYTE;
    } else if (type instanceof ShortType) {
      return CellType.SHORT;
    } else if (type instanceof IntegerType) {
      return CellType.INT;
    } else if (type instanceof LongType) {
      return CellType.LONG;
    } else if (type instanceof FloatType) {
      return CellType.FLOAT;
    } else if (type instanceof DoubleType) {
      return CellType.DOUBLE;
    } else if (type instanceof DateType) {
      return CellType.DATE;
    } else if (type instanceof TimestampType) {
      return CellType.TIMESTAMP;
    } else if (type instanceof TimestampNTZType) {
      return CellType.TIMESTAMP_NTZ;
    } else if (type instanceof BinaryType) {
      return CellType.BINARY;
    } else if (type instanceof DecimalType) {
      return CellType.DECIMAL;
    }
    throw new ConfigException("Cannot encrypt column " + column + " of type " + type.simpleString()
        + ": columnseal encrypts columns of type string, boolean, tinyint, smallint, int, bigint, float, double, "
        + "decimal, date, timestamp, timestamp_ntz or binary; nested types (struct, array, map) are refused "
        + "rather than flattened, so encrypt their leaf fields after selecting them as columns");
  }
}
