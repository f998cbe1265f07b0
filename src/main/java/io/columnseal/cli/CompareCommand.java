package io.columnseal.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Shows that a round trip is exact: the encrypt input (read as encrypt reads it) against a
 * decrypted copy, row for row and type for type. Prints counts, never values.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare the input of a job spec with a decrypted Parquet copy: schema, row count, every row.")
final class CompareCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--decrypted", required = true, paramLabel = "PATH", description = "The decrypted Parquet dataset.")
  String decrypted;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    SparkSession spark = Sparks.session("columnseal compare");
    Dataset<Row> original = io.columnseal.jobs.Inputs.read(spark, config.encryptSettings());
    Dataset<Row> copy = spark.read().parquet(decrypted);
    StructType a = original.schema();
    StructType b = copy.schema();
    if (!sameColumns(a, b)) {
      System.out.println("DIFFERENT schema: input " + a.simpleString() + " vs decrypted " + b.simpleString());
      return ExitCodes.FAILED;
    }
    long rows = original.count();
    long copyRows = copy.count();
    long missing = original.exceptAll(copy).count();
    long extra = copy.exceptAll(original).count();
    if (rows != copyRows || missing != 0 || extra != 0) {
      System.out.println("DIFFERENT: input " + rows + " rows, decrypted " + copyRows + " rows; " + missing
          + " input rows have no identical decrypted row, " + extra + " decrypted rows have no identical input row");
      return ExitCodes.FAILED;
    }
    System.out.println("IDENTICAL: " + rows + " rows x " + a.size() + " columns; names, types and every value match");
    return ExitCodes.OK;
  }

  private static boolean sameColumns(StructType a, StructType b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.fields()[i].name().equals(b.fields()[i].name())
          || !a.fields()[i].dataType().equals(b.fields()[i].dataType())) {
        return false;
      }
    }
    return true;
  }
}
