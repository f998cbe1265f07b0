package io.columnseal.cli;

import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.crypto.protect.MaskStyle;
import io.columnseal.crypto.protect.Masker;
import io.columnseal.crypto.protect.Protection;
import java.util.ArrayList;
import java.util.List;
import io.columnseal.jobs.input.IndependentInput;
import io.columnseal.jobs.input.Inputs;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
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
    StructType read = Inputs.read(spark, settings.input()).schema();
    StructType a = withoutDropped(read, settings);
    Dataset<Row> copy = spark.read().parquet(decrypted);
    StructType b = copy.schema();
    if (!sameColumns(a, b)) {
      System.out.println("DIFFERENT schema: input " + a.simpleString() + " vs decrypted " + b.simpleString());
      return ExitCodes.FAILED;
    }
    IndependentInput.Read input = IndependentInput.read(spark, settings.input(), read);
    Dataset<Row> original = asProtected(input.rows, settings);
    long rows = original.count();
    long otherWidth = input.recordsOfAnotherWidth();
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
    List<String> dropped = new ArrayList<>();
    List<String> masked = new ArrayList<>();
    for (ColumnPolicy p : settings.policies) {
      (p.protection == Protection.DROP ? dropped : p.protection == Protection.MASK ? masked : new ArrayList<String>())
          .add(p.name);
    }
    System.out.println("IDENTICAL: " + rows + " rows x " + a.size() + " columns; names, types and every value match"
        + (masked.isEmpty() ? "" : "; masked columns equal the mask of the input (" + String.join(", ", masked) + ")")
        + (dropped.isEmpty() ? "" : "; dropped columns are absent (" + String.join(", ", dropped) + ")"));
    return ExitCodes.OK;
  }

  /** The input's schema without the columns the job drops: they are not in a decrypted copy. */
  private static StructType withoutDropped(StructType input, EncryptSettings s) {
    List<StructField> kept = new ArrayList<>();
    for (StructField f : input.fields()) {
      ColumnPolicy p = s.policy(f.name());
      if (p == null || p.protection != Protection.DROP) {
        kept.add(f);
      }
    }
    return new StructType(kept.toArray(new StructField[0]));
  }

  /** The input as a decrypted copy holds it: dropped columns left out, masked ones as their mask. */
  private static Dataset<Row> asProtected(Dataset<Row> input, EncryptSettings s) {
    Dataset<Row> out = input;
    for (ColumnPolicy p : s.policies) {
      if (p.protection == Protection.DROP) {
        out = out.drop(p.name);
      } else if (p.protection == Protection.MASK) {
        // The one mask rule (FORMAT.md 10.5), as encrypt applies it.
        Masker masker = Masker.of(MaskStyle.fromConfigName(p.options.getOrDefault("show",
            MaskStyle.FIRST6_LAST4.configName())));
        UserDefinedFunction mask = functions.udf((UDF1<String, String>) v -> v == null ? null : masker.mask(v),
            DataTypes.StringType);
        out = out.withColumn(p.name, mask.apply(functions.col("`" + p.name.replace("`", "``") + "`")));
      }
    }
    return out;
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
