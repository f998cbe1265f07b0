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
    // Page mode (issue 16): encrypt, verify, decrypt, rewrap with the decrypt sample check, then a
    // flipped byte in one file's cvv pages, so that a page-mode decrypt task fails.
    String page = work.resolve("enc-page").toString();
    step("encrypt-page", "encrypt", "--config", config, "--set", "encrypt.mode=page", "--set",
        "input.path=" + Path.of(JobTestKit.SAMPLE_CSV).toAbsolutePath(), "--set", "output.path=" + page);
    step("verify-page", "verify", "--dataset", page, "--config", config);
    step("decrypt-page", "decrypt", "--dataset", page, "--output", work.resolve("dec-page").toString(), "--format",
        "csv", "--config", config);
    step("rewrap-page", "rewrap", "--dataset", page, "--to-key", "alias/test", "--sample-check", "decrypt", "--config",
        config);
    flipPage(firstDataFile(Path.of(page)), "cvv");
    step("decrypt-page-tampered", "decrypt", "--dataset", page, "--output", work.resolve("dec-page-failed").toString(),
        "--config", config);
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

  /** Flips one byte inside column {@code column}'s encrypted chunk of a page-mode file (its size unchanged). */
  private static void flipPage(Path file, String column) {
    try {
      org.apache.parquet.format.ColumnMetaData chunk = null;
      for (org.apache.parquet.format.ColumnChunk c : io.columnseal.jobs.encrypt.PageFiles.footer(file).getRow_groups()
          .get(0).getColumns()) {
        if (c.isSetCrypto_metadata() && c.getMeta_data().getPath_in_schema().equals(List.of(column))) {
          chunk = c.getMeta_data();
        }
      }
      long start = chunk.isSetDictionary_page_offset() ? chunk.getDictionary_page_offset() : chunk.getData_page_offset();
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      bytes[(int) (start + chunk.getTotal_compressed_size() / 2)] ^= 0x01;
      java.nio.file.Files.write(file, bytes);
      java.nio.file.Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
