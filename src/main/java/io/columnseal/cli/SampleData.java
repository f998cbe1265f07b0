package io.columnseal.cli;

import io.columnseal.samples.CardCsv;
import io.columnseal.samples.CardSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * Turns the sample CSV into one typed Parquet file (not a directory of parts), so the sample
 * can be committed and read as a single file. Local paths only: this is a developer tool.
 */
@Command(
    name = "sample-data",
    mixinStandardHelpOptions = true,
    description = "Converts data-samples/financial.csv into a single Parquet file.")
public final class SampleData implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CSV", description = "Sample CSV to read.")
  Path csv;

  @Parameters(index = "1", paramLabel = "PARQUET", description = "Parquet file to write (replaced).")
  Path parquet;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SampleData()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    SparkSession spark = SparkSession.builder()
        .appName("columnseal-sample-data")
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      writeParquet(spark, csv, parquet);
    } finally {
      spark.stop();
    }
    return 0;
  }

  /** Reads a sample CSV with {@link CardSchema#DDL} and {@link CardCsv#SPARK_READ_OPTIONS}. */
  public static Dataset<Row> readCsv(SparkSession spark, String path) {
    return spark.read().options(CardCsv.SPARK_READ_OPTIONS).schema(CardSchema.DDL).csv(path);
  }

  /**
   * Writes the rows of {@code csv}, in file order, to the single Parquet file {@code parquet}.
   * Runs in a child session of {@code spark} so its settings (UTC, timestamps as
   * TIMESTAMP_MICROS rather than the legacy INT96) do not leak into the caller's session.
   */
  public static void writeParquet(SparkSession spark, Path csv, Path parquet) throws IOException {
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.session.timeZone", "UTC");
    session.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    Path absolute = parquet.toAbsolutePath();
    Path staging = Files.createTempDirectory(absolute.getParent(), ".sample-parquet-");
    try {
      Path parts = staging.resolve("out");
      // One small CSV is one input partition, so coalesce(1) keeps the file's row order.
      readCsv(session, csv.toAbsolutePath().toString())
          .coalesce(1)
          .write()
          .mode(SaveMode.ErrorIfExists)
          .parquet(parts.toString());
      Files.move(onlyPart(parts), absolute, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      deleteTree(staging);
    }
  }

  private static Path onlyPart(Path dir) throws IOException {
    List<Path> parts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "part-*.parquet")) {
      files.forEach(parts::add);
    }
    if (parts.size() != 1) {
      throw new IOException("expected one Parquet part in " + dir + ", found " + parts.size());
    }
    return parts.get(0);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
