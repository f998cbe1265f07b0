package io.columnseal.jobs.dataset;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;

/**
 * Spark's Parquet reader with each file read whole by one task, never split by row groups: a
 * cell's replay and order checks (docs/FORMAT.md 5.2) compare it with the cells read before it
 * in its file, and a task that starts mid-file would not see a cell copied from the part another
 * task reads.
 */
public class WholeFileParquet extends ParquetFileFormat {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isSplitable(SparkSession spark, scala.collection.immutable.Map<String, String> options, Path path) {
    return false;
  }

  /** Parquet's own format equals any Parquet format; this one only its own kind (it reads differently). */
  @Override
  public boolean equals(Object other) {
    return other != null && other.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }
}
