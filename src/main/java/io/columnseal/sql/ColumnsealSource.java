package io.columnseal.sql;

import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.sources.RelationProvider;
import scala.collection.JavaConverters;
import scala.collection.immutable.Map;

/**
 * {@code spark.read.format("columnseal")} and {@code USING columnseal}: a columnseal dataset read
 * in place, its encrypted columns opened for the caller's credentials (docs/READING.md).
 */
public final class ColumnsealSource implements RelationProvider, DataSourceRegister {
  @Override
  public String shortName() {
    return "columnseal";
  }

  @Override
  public BaseRelation createRelation(SQLContext sqlContext, Map<String, String> parameters) {
    return SealedRelation.open(sqlContext, ReadSettings.of(JavaConverters.mapAsJavaMap(originalCase(parameters))));
  }

  /** Spark's options map iterates lower-cased keys; its original map keeps the caller's spelling. */
  private static scala.collection.Map<String, String> originalCase(Map<String, String> parameters) {
    if (parameters instanceof org.apache.spark.sql.catalyst.util.CaseInsensitiveMap) {
      return ((org.apache.spark.sql.catalyst.util.CaseInsensitiveMap<String>) parameters).originalMap();
    }
    return parameters;
  }
}
