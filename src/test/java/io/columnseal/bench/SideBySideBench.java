package io.columnseal.bench;

import static org.apache.spark.sql.functions.expr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: the ways to protect the 4 sensitive columns of N generated card rows, side by side
 * in one Spark local session, alternating within each round, medians over the rounds. Writes
 * {@code bench.json} and {@code bench.svg} into the output folder. Run with {@code jobs/bench}
 * (see its usage line for the options).
 *
 * <p>Definitions. Ratio: median wall time over the plain CSV-to-Parquet copy's (the decrypt
 * rows: over the plain Parquet read-and-write). Bytes per encrypted cell: (output bytes - the
 * plain copy's bytes) / non-null cells of the 4 columns, i.e. what protection adds per cell after
 * Parquet's encodings and compression. Peak heap: see {@link HeapPeak}.
 */
public final class SideBySideBench {
  static final List<String> SENSITIVE = List.of("card_number", "cardholder_name", "cvv", "street_address");
  private static final Map<String, String> CSV = Map.of("header", "true", "quote", "\"", "escape", "\"",
      "dateFormat", "yyyy-MM-dd", "timestampFormat", "yyyy-MM-dd HH:mm:ss");
  // A fixed benchmark key for aes_encrypt and nothing else.
  private static final String AES_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private static final long WARM_UP_ROWS = 200_000;

  private final SparkSession spark;
  private final Path dir;
  private final Path keyring;
  private final KmsTestServer kms;
  private final String kmsKeyArn;

  private SideBySideBench(SparkSession spark, Path dir, Path keyring, KmsTestServer kms, String kmsKeyArn) {
    this.spark = spark;
    this.dir = dir;
    this.keyring = keyring;
    this.kms = kms;
    this.kmsKeyArn = kmsKeyArn;
  }

  /** One measured run: what it wrote and how many KMS calls it made (-1: not counted). */
  record Outcome(long bytes, long kmsCalls, long cells) {}

  /** A way to run, measured as a whole (read, protect, write, commit). */
  interface Way {
    Outcome run(Path csv) throws Exception;
  }

  /** Median and samples of one way. */
  record Measured(String name, String baseline, List<Double> seconds, Outcome last, List<Long> heaps) {
    double median() {
      return Stats.median(seconds);
    }

    long peakHeap() {
      return heaps.stream().mapToLong(Long::longValue).max().orElse(0);
    }
  }

  public static void main(String[] args) throws Exception {
    BenchOptions o = BenchOptions.parse(args);
    Files.createDirectories(o.out);
    Path dir = Files.createTempDirectory("columnseal-side-by-side");
    // Made-up credentials for the SDK's default chain; the KMS test server checks none.
    System.setProperty("aws.accessKeyId", "AKIDTESTBENCH");
    System.setProperty("aws.secretAccessKey", KmsTestServer.TEST_SECRET);

    SparkSession spark = SparkSession.builder().master("local[*]").appName("columnseal side-by-side")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "benchmark key");
    }
    try (KmsTestServer kms = KmsTestServer.start(16)) {
      String arn = kms.createKey("side-by-side bench");
      kms.faults().latency(Duration.ofMillis(o.latencyMillis));
      SideBySideBench bench = new SideBySideBench(spark, dir, keyring, kms, arn);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("startedAt", Instant.now().toString());
      report.put("machine", Machine.describe());
      report.put("rows", o.rows);
      report.put("rounds", o.rounds);
      report.put("kmsLatencyMillis", o.latencyMillis);
      List<Measured> table = o.rounds > 0 ? bench.sideBySide(o) : List.of();
      report.put("sideBySide", Tables.asJson(table));
      if (!o.scale.isEmpty()) {
        report.put("scaling", bench.scaling(o));
      }
      if (!o.partitions.isEmpty()) {
        report.put("partitions", bench.partitionSweep(o));
      }
      report.put("finishedAt", Instant.now().toString());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.out.resolve("bench.json").toFile(),
          report);
      if (!table.isEmpty()) {
        Files.writeString(o.out.resolve("bench.svg"), Chart.svg(table, o.rows));
      }
      System.out.printf("%nwrote %s and %s%n", o.out.resolve("bench.json"), o.out.resolve("bench.svg"));
    } finally {
      spark.stop();
    }
  }

  private List<Measured> sideBySide(BenchOptions o) throws Exception {
    Path csv = dir.resolve("cards-" + o.rows + ".csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, o.rows, csv);
    System.out.printf("input: %,d rows, %,d bytes of CSV, %d cores, KMS test server latency %d ms%n", o.rows,
        Files.size(csv), Runtime.getRuntime().availableProcessors(), o.latencyMillis);

    Map<String, Way> ways = new LinkedHashMap<>();
    Map<String, String> baselines = new LinkedHashMap<>();
    ways.put("plain CSV->Parquet copy", c -> plainCopy(c, dir.resolve("copy"), 0));
    ways.put("Spark aes_encrypt GCM", this::aesEncrypt);
    ways.put("Parquet modular encryption", this::modularEncryption);
    ways.put("columnseal encrypt, local keyring", c -> columnseal(c, local(), "local", 0));
    ways.put("columnseal encrypt, KMS " + o.latencyMillis + " ms", c -> columnseal(c, kms(), "kms", 0));
    ways.put("plain Parquet read+write", c -> plainReadWrite());
    ways.put("columnseal decrypt, local keyring", c -> decrypt());
    for (String name : ways.keySet()) {
      baselines.put(name, name.contains("read+write") || name.contains("decrypt")
          ? "plain Parquet read+write" : "plain CSV->Parquet copy");
    }

    // The warm-up (JIT, Spark's code generation, KMS clients) runs on a smaller file, so that a
    // 2M-row run fits in 15 minutes on 2 cores.
    Path warmUp = dir.resolve("cards-warm-up.csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED + 1, Math.min(o.rows, WARM_UP_ROWS), warmUp);
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, List<Long>> heaps = new LinkedHashMap<>();
    Map<String, Outcome> last = new LinkedHashMap<>();
    for (int r = 0; r <= o.rounds; r++) {
      StringBuilder line = new StringBuilder(r == 0 ? "warm-up:" : "round " + r + ":");
      for (Map.Entry<String, Way> w : ways.entrySet()) {
        HeapPeak.reset();
        long t0 = System.nanoTime();
        Outcome out = w.getValue().run(r == 0 ? warmUp : csv);
        double s = (System.nanoTime() - t0) / 1e9;
        long heap = HeapPeak.bytes();
        line.append(String.format(" %s %.1fs;", shortName(w.getKey()), s));
        if (r > 0) {
          seconds.computeIfAbsent(w.getKey(), k -> new ArrayList<>()).add(s);
          heaps.computeIfAbsent(w.getKey(), k -> new ArrayList<>()).add(heap);
          last.put(w.getKey(), out);
        }
      }
      System.out.println(line);
      if (r == 0) {
        requireModularEncryptionHidesColumns();
      }
    }
    List<Measured> table = new ArrayList<>();
    for (String name : ways.keySet()) {
      table.add(new Measured(name, baselines.get(name), seconds.get(name), last.get(name), heaps.get(name)));
    }
    System.out.println();
    System.out.print(Tables.text(table, o.rows, o.rounds));
    return table;
  }

  /** Time growth and peak heap with the row count: plain copy vs columnseal (local keyring), 1 round each. */
  private List<Map<String, Object>> scaling(BenchOptions o) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    if (o.rounds == 0) {
      // No side-by-side ran before: warm the JVM up on a small file first, unmeasured.
      Path warmUp = dir.resolve("cards-warm-up.csv");
      CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED + 1, WARM_UP_ROWS, warmUp);
      plainCopy(warmUp, dir.resolve("copy"), 0);
      columnseal(warmUp, local(), "local", 0);
    }
    System.out.printf("%nscaling (1 round each): rows, copy s, encrypt s, ratio, copy heap MiB, encrypt heap MiB%n");
    for (long n : o.scale) {
      Path csv = dir.resolve("cards-" + n + ".csv");
      if (!Files.exists(csv)) {
        CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, n, csv);
      }
      HeapPeak.reset();
      long t0 = System.nanoTime();
      plainCopy(csv, dir.resolve("copy"), 0);
      double copy = (System.nanoTime() - t0) / 1e9;
      long copyHeap = HeapPeak.bytes();
      HeapPeak.reset();
      t0 = System.nanoTime();
      columnseal(csv, local(), "local", 0);
      double enc = (System.nanoTime() - t0) / 1e9;
      long encHeap = HeapPeak.bytes();
      System.out.printf("  %,12d  %6.1f  %6.1f  %.2fx  %6d  %6d%n", n, copy, enc, enc / copy, copyHeap >> 20,
          encHeap >> 20);
      rows.add(Map.of("rows", n, "copySeconds", copy, "encryptSeconds", enc, "copyPeakHeapBytes", copyHeap,
          "encryptPeakHeapBytes", encHeap));
      if (n != o.rows) {
        Files.delete(csv);
      }
    }
    return rows;
  }

  /** KMS cost of partitions: columnseal through the SDK against the test server, repartitioned to P. */
  private List<Map<String, Object>> partitionSweep(BenchOptions o) throws Exception {
    Path csv = dir.resolve("cards-" + o.rows + ".csv");
    if (!Files.exists(csv)) {
      CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, o.rows, csv);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    System.out.printf("%npartitions (1 round each, KMS latency %d ms): P, copy s, encrypt s, GenerateDataKey, "
        + "GenerateDataKey ms (sum of server-side latency)%n", o.latencyMillis);
    for (int p : o.partitions) {
      long t0 = System.nanoTime();
      plainCopy(csv, dir.resolve("copy-p"), p);
      double copy = (System.nanoTime() - t0) / 1e9;
      kms.log().clear();
      t0 = System.nanoTime();
      Outcome out = columnseal(csv, kms(), "kms-p", p);
      double enc = (System.nanoTime() - t0) / 1e9;
      long gdk = kms.log().of("GenerateDataKey").size();
      System.out.printf("  %4d  %6.1f  %6.1f  %5d  %7d%n", p, copy, enc, gdk, gdk * o.latencyMillis);
      rows.add(Map.of("partitions", p, "copySeconds", copy, "encryptSeconds", enc, "generateDataKey", gdk,
          "kmsCalls", out.kmsCalls(), "generateDataKeyLatencyMillisSum", gdk * o.latencyMillis));
    }
    return rows;
  }

  private Dataset<Row> readCsv(Path csv) {
    return spark.read().options(CSV).schema(CardSchema.DDL).csv(csv.toString());
  }

  private Outcome plainCopy(Path csv, Path out, int partitions) throws IOException {
    Dataset<Row> in = readCsv(csv);
    (partitions > 0 ? in.repartition(partitions) : in).write().mode("overwrite").parquet(out.toString());
    return new Outcome(Files2.parquetBytes(out), 0, 0);
  }

  private Outcome aesEncrypt(Path csv) throws IOException {
    Dataset<Row> df = readCsv(csv);
    for (String c : SENSITIVE) {
      df = df.withColumn(c, expr("aes_encrypt(" + c + ", unhex('" + AES_KEY_HEX + "'), 'GCM')"));
    }
    Path out = dir.resolve("aes");
    df.write().mode("overwrite").parquet(out.toString());
    return new Outcome(Files2.parquetBytes(out), 0, 0);
  }

  /**
   * Parquet Modular Encryption through Spark's write options (they reach the Hadoop
   * configuration that ParquetOutputFormat reads): one column key for the 4 columns, a footer
   * key, plaintext footer so that other columns stay readable without keys.
   */
  private Outcome modularEncryption(Path csv) throws IOException {
    Path out = dir.resolve("pme");
    long before = BenchKmsClient.WRAPS.get();
    readCsv(csv).write().mode("overwrite")
        .option("parquet.crypto.factory.class", "org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory")
        .option("parquet.encryption.kms.client.class", BenchKmsClient.class.getName())
        .option("parquet.encryption.column.keys", "columnKey:" + String.join(",", SENSITIVE))
        .option("parquet.encryption.footer.key", "footerKey")
        .option("parquet.encryption.plaintext.footer", "true")
        .parquet(out.toString());
    return new Outcome(Files2.parquetBytes(out), BenchKmsClient.WRAPS.get() - before, 0);
  }

  /** A check that the PME way encrypts: without its crypto factory, an encrypted column must not read. */
  private void requireModularEncryptionHidesColumns() {
    boolean readable;
    try {
      spark.read().parquet(dir.resolve("pme").toString()).select(SENSITIVE.get(0)).limit(1).collectAsList();
      readable = true;
    } catch (Exception expected) {
      readable = false;
    }
    if (readable) {
      throw new IllegalStateException("the Parquet modular encryption output reads without keys: PME is not on");
    }
  }

  private KeyServiceSpec local() {
    return KeyServiceSpec.local(keyring.toString());
  }

  private KeyServiceSpec kms() {
    return kms.spec();
  }

  private Outcome columnseal(Path csv, KeyServiceSpec keys, String name, int partitions) throws IOException {
    Path out = dir.resolve("enc-" + name);
    long before = kms.log().entries().size();
    EncryptSettings s = EncryptSettings.builder().datasetId("bench").inputPath(csv.toString()).inputFormat("csv")
        .inputOptions(CSV).inputSchema(CardSchema.DDL).columns(SENSITIVE).keyService(keys)
        .kmsKey(keys.equals(local()) ? "alias/bench" : kmsKeyArn).outputPath(out.toString())
        .mode(OutputMode.OVERWRITE).partitions(partitions).build();
    RunSummary r = EncryptJob.run(spark, s);
    long calls = keys.equals(local()) ? r.kmsCalls.values().stream().mapToLong(Long::longValue).sum()
        : kms.log().entries().size() - before;
    long cells = r.cellsPerColumn.values().stream().mapToLong(Long::longValue).sum();
    return new Outcome(Files2.parquetBytes(out), calls, cells);
  }

  private Outcome plainReadWrite() throws IOException {
    Path out = dir.resolve("rw");
    spark.read().parquet(dir.resolve("copy").toString()).write().mode("overwrite").parquet(out.toString());
    return new Outcome(Files2.parquetBytes(out), 0, 0);
  }

  private Outcome decrypt() throws IOException {
    Path out = dir.resolve("dec");
    DecryptJob.run(spark, new DecryptSettings(dir.resolve("enc-local").toString(), null, out.toString(), "parquet",
        List.of(), local(), true));
    return new Outcome(Files2.parquetBytes(out), -1, 0);
  }

  static String shortName(String way) {
    return way.replace("columnseal ", "cs ").replace("plain ", "").replace(", local keyring", "")
        .replace("Parquet modular encryption", "PME").replace("Spark aes_encrypt GCM", "aes_encrypt");
  }
}
