package io.columnseal.jobs;

import io.columnseal.cli.Main;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The child JVM of {@link SecretsHygieneTest}: runs the CLI as a user would, in one Spark
 * application whose logging (DEBUG) and event log the parent set through system properties,
 * including two runs that fail in a task. Each step runs with --verbose (full logs and stack
 * traces, which the parent scans too). Prints one {@code EXIT <step> <code>} line per step.
 */
public final class SecretsHygieneRun {
  private SecretsHygieneRun() {}

  public static void main(String[] args) {
    Path work = Path.of(args[0]);
    String config = work.resolve("job.yaml").toString();
    String enc = work.resolve("enc").toString();
    step("encrypt-malformed", "encrypt", "--config", config, "--set", "output.path=" + work.resolve("enc-failed"));
    // Without output.partitions: the CSV is read FAILFAST and Spark's failure, which quotes the row, is caught.
    step("encrypt-malformed-failfast", "encrypt", "--config", work.resolve("job-failfast.yaml").toString(), "--set",
        "output.path=" + work.resolve("enc-failed-failfast"));
    step("encrypt-quarantine", "encrypt", "--config", config, "--set", "input.malformed=quarantine");
    step("verify", "verify", "--dataset", enc, "--config", config);

    // A flipped byte in row 0's cvv cell of one data file, so that a decrypt task fails.
    SparkSession spark = SparkSession.active();
    Path file = firstDataFile(Path.of(enc));
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    int cvv = schema.fieldIndex("cvv");
    rows.set(0, StoredFiles.with(rows.get(0), cvv, StoredFiles.flipped((byte[]) rows.get(0).get(cvv))));
    StoredFiles.replace(spark, file, schema, rows);

    step("decrypt-tampered", "decrypt", "--dataset", enc, "--output", work.resolve("dec-failed").toString(),
        "--config", config);
    step("decrypt-null", "decrypt", "--dataset", enc, "--output", work.resolve("dec").toString(), "--format", "csv",
        "--on-error", "null", "--config", config);
    // Stopping the context finishes the event log.
    spark.stop();
    System.exit(0);
  }

  private static void step(String name, String... args) {
    // --verbose: the CLI otherwise turns Spark's logs off, and the scan is of everything Spark logs.
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--verbose");
    int code = Main.run(all.toArray(new String[0]));
    System.out.println("EXIT " + name + " " + code);
    System.out.flush();
  }

  private static Path firstDataFile(Path dataset) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dataset)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
