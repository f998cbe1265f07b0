package io.columnseal.cli;

import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.input.IndependentInput;
import io.columnseal.jobs.input.Inputs;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Shows that a round trip is exact: the encrypt input against a decrypted copy, row for row and
 * type for type. The input's values are read independently of the job's reader (CSV as RFC
 * 4180 with Apache Commons CSV, {@link IndependentInput}), so a dialect the job misread shows
 * as a difference. Prints counts, never values.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare the input of a job spec, read independently of Spark's reader options (CSV as RFC 4180),"
        + " with a decrypted Parquet copy: schema, row count, every row.")
final class CompareCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--decrypted", required = true, paramLabel = "PATH", description = "The decrypted Parquet dataset.")
  String decrypted;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    SparkSession spark = Sparks.session("columnseal compare");
    EncryptSettings settings = config.encryptSettings();
    // The job's reader gives the schema (names and types) only; the values come from an
    // independent reading, so a reader option that misparsed the input cannot hide itself.
    StructType a = Inputs.read(spark, settings.input()).schema();
    Dataset<Row> copy = spark.read().parquet(decrypted);
    StructType b = copy.schema();
    if (!sameColumns(a, b)) {
      System.out.println("DIFFERENT schema: input " + a.simpleString() + " vs decrypted " + b.simpleString());
      return ExitCodes.FAILED;
    }
    IndependentInput.Read read = IndependentInput.read(spark, settings.input(), a);
    Dataset<Row> original = read.rows;
    long rows = original.count();
    long otherWidth = read.recordsOfAnotherWidth();
    long copyRows = copy.count();
    long missing = original.exceptAll(copy).count();
    long extra = copy.exceptAll(original).count();
    if (otherWidth != 0 || rows != copyRows || missing != 0 || extra != 0) {
      System.out.println("DIFFERENT: input " + rows + " rows" + (otherWidth == 0 ? "" : " (and " + otherWidth
          + " CSV records whose field count is not the schema's " + a.size() + ")") + ", decrypted " + copyRows
          + " rows; " + missing + " input rows have no identical decrypted row, " + extra
          + " decrypted rows have no identical input row");
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
