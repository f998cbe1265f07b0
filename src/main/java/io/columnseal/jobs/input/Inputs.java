package io.columnseal.jobs.input;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The encrypt input as a plain DataFrame of its data columns, for checks such as compare. */
public final class Inputs {
  private Inputs() {}

  public static Dataset<Row> read(SparkSession spark, InputSpec s) {
    InputReader.Input in = InputReader.read(spark, s);
    String[] names = in.dataSchema.fieldNames();
    Column[] cols = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      cols[i] = in.rows.col("`" + names[i].replace("`", "``") + "`");
    }
    return in.rows.select(cols);
  }
}
