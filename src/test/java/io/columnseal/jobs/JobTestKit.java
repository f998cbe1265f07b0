package io.columnseal.jobs;

import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.testing.SharedSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Shared set-up for the job tests: a keyring with one key, the sample's settings. */
public final class JobTestKit {
  public static final String SAMPLE_CSV = "data-samples/financial.csv";
  public static final String SAMPLE_PARQUET = "data-samples/financial.parquet";
  public static final String SAMPLE_DDL = "card_number STRING, cardholder_name STRING, expiry DATE, cvv STRING, "
      + "street_address STRING, city STRING, state STRING, zip STRING, card_type STRING, company STRING, "
      + "amount DECIMAL(12,2), txn_ts TIMESTAMP";
  public static final List<String> SENSITIVE = List.of("card_number", "cardholder_name", "cvv", "street_address");
  public static final Map<String, String> CSV_OPTIONS = Map.of("header", "true", "quote", "\"", "escape", "\"",
      "dateFormat", "yyyy-MM-dd", "timestampFormat", "yyyy-MM-dd HH:mm:ss");

  public final Path dir;
  public final Path keyringFile;
  public final KeyServiceSpec keys;
  public final String keyArn;

  /** A fresh keyring in {@code dir} with key alias/test. */
  public JobTestKit(Path dir) {
    this.dir = dir;
    this.keyringFile = dir.resolve("test.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyringFile)) {
      this.keyArn = ring.createKey("alias/test", "job tests").keyArn();
    }
    this.keys = KeyServiceSpec.local(keyringFile.toString());
  }

  private JobTestKit(Path dir, Path keyringFile, String keyArn) {
    this.dir = dir;
    this.keyringFile = keyringFile;
    this.keyArn = keyArn;
    this.keys = KeyServiceSpec.local(keyringFile.toString());
  }

  /**
   * A kit in {@code dir} with a copy of {@code template}'s keyring (same keys, same material),
   * so a test can change keys without touching the template or the other tests.
   */
  public static JobTestKit copyOf(JobTestKit template, Path dir) {
    Path copy = dir.resolve(template.keyringFile.getFileName());
    try {
      Files.copy(template.keyringFile, copy);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy keyring " + template.keyringFile, e);
    }
    return new JobTestKit(dir, copy, template.keyArn);
  }

  /** Copies a folder tree (a dataset with its manifest), for tests that start from one encrypted once. */
  public static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  public static SparkSession spark() {
    return SharedSpark.session();
  }

  /** Settings for the bundled CSV sample into {@code output}. */
  public EncryptSettings.Builder sampleCsv(String output) {
    return EncryptSettings.builder().datasetId("cards-test").inputPath(SAMPLE_CSV).inputFormat("csv")
        .inputOptions(CSV_OPTIONS).inputSchema(SAMPLE_DDL).columns(SENSITIVE).keyService(keys)
        .kmsKey("alias/test").outputPath(output).partitions(3);
  }

  public DecryptSettings decryptTo(String dataset, String output, String format) {
    return new DecryptSettings(dataset, null, output, format, List.of(), keys, true);
  }

  /** Re-reads the keyring (after a test changed it from another LocalKeyring). */
  public void reloadKeys() {
    KeyServices.evict(keys);
  }

  /** The sample CSV as Spark reads it with its schema. */
  public static Dataset<Row> sampleInput() {
    return spark().read().options(CSV_OPTIONS).schema(SAMPLE_DDL).csv(SAMPLE_CSV);
  }

  /** Rows sorted by their string form, for an exact row-by-row comparison. */
  public static List<Row> sorted(Dataset<Row> df) {
    List<Row> rows = new ArrayList<>(df.collectAsList());
    rows.sort(Comparator.comparing(Row::toString));
    return rows;
  }
}
