package io.columnseal.bench;

import static org.apache.spark.sql.functions.expr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.columnseal.cli.Main;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.samples.CardCsv;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: issue 16's side by side. One Spark local session, one generated CSV of 13 columns
 * (the sample generator's 12 plus a phone number), 6 of them protected; each case CSV to Parquet:
 * plain copy, Parquet modular encryption alone, Spark's aes_encrypt, columnseal cell mode and
 * page mode (both through the CLI's encrypt command, local keyring); then full scans of those
 * outputs (page mode's also through plain Spark with columnseal's PME decryption factory).
 * Alternating rounds (each starts one case later) after one unmeasured warm-up round on
 * a smaller file, medians. Ratios are against the plain copy (writes) and the plain scan (scans)
 * of the same run. Run with {@code jobs/bench-modes}.
 */
public final class ModesBench {
  /** The protected columns: card data, the cardholder's identity and contact details. */
  static final List<String> SENSITIVE = List.of("card_number", "cardholder_name", "cvv", "street_address", "zip",
      "phone");
  static final String DDL = CardSchema.DDL + ", phone STRING";
  private static final Map<String, String> CSV = Map.of("header", "true", "quote", "\"", "escape", "\"",
      "dateFormat", "yyyy-MM-dd", "timestampFormat", "yyyy-MM-dd HH:mm:ss");
  // A fixed benchmark key for aes_encrypt and nothing else.
  private static final String AES_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  private static final String PME_FACTORY = "org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory";

  private final SparkSession spark;
  private final Path dir;
  private final Path keyring;
  /** Why page mode did not run (null: it ran). */
  private String pageUnavailable;
  /** Page-mode scans that failed (case -> why), e.g. a reader merged after the writer. */
  private final Map<String, String> scanUnavailable = new LinkedHashMap<>();
  /**
   * The latest output folder of each columnseal mode. Every write goes to a new dataset: a reader
   * may cache a dataset's manifest for a while (PageDecryption: 30 s unpinned), and an overwrite
   * within that time would be refused as not live, which is not what this measures.
   */
  private final Map<String, Path> latest = new LinkedHashMap<>();

  private ModesBench(SparkSession spark, Path dir, Path keyring) {
    this.spark = spark;
    this.dir = dir;
    this.keyring = keyring;
  }

  /** One case: runs and returns the bytes it wrote (0 for a scan), or -1 when not available. */
  interface Case {
    long run(Path csv) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    long rows = 1_000_000L;
    int rounds = 3;
    Path out = Path.of("target", "bench-modes");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: jobs/bench-modes [--rows 1000000] [--rounds 3] [--out target/bench-modes]");
      }
    }
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException(args[args.length - 1] + " needs a value");
    }
    Files.createDirectories(out);
    Path dir = Files.createTempDirectory("columnseal-modes");
    // The same session settings the CLI's encrypt command would set, so that the cases it runs
    // and the others share one configuration.
    SparkSession spark = SparkSession.builder().master("local[*]").appName("columnseal modes")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
        // columnseal writes timestamps as INT64 micros (SealedParquetOptions); Spark's default
        // INT96 would make every other case's txn_ts 4 bytes a row bigger, not a fair baseline.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "benchmark key");
    }
    try {
      Map<String, Object> report = new ModesBench(spark, dir, keyring).run(rows, rounds);
      Path json = out.resolve("bench-modes.json");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
      System.out.printf("%nwrote %s%n", json);
    } finally {
      spark.stop();
    }
  }

  private Map<String, Object> run(long rows, int rounds) throws Exception {
    String startedAt = Instant.now().toString();
    Path csv = dir.resolve("cards-" + rows + ".csv");
    writeCsv(CardDataGenerator.DEFAULT_SEED, rows, csv);
    Path warmUp = dir.resolve("cards-warm-up.csv");
    writeCsv(CardDataGenerator.DEFAULT_SEED + 1, Math.min(rows, 100_000), warmUp);
    System.out.printf("input: %,d rows x 13 columns, %,d bytes of CSV, %d cores; protected: %s%n", rows,
        Files.size(csv), Runtime.getRuntime().availableProcessors(), String.join(", ", SENSITIVE));

    Map<String, Case> writes = new LinkedHashMap<>();
    writes.put("a. plain CSV->Parquet copy", c -> plainCopy(c));
    writes.put("b. PME alone (PropertiesDrivenCryptoFactory)", c -> pmeAlone(c));
    writes.put("c. Spark aes_encrypt GCM", c -> aesEncrypt(c));
    writes.put("d. columnseal cell mode", c -> columnseal(c, "cell"));
    writes.put("e. columnseal page mode", c -> columnseal(c, "page"));
    Map<String, Case> scans = new LinkedHashMap<>();
    scans.put("plain scan of a", c -> scan(spark.read().parquet(dir.resolve("copy").toString())));
    scans.put("PME decrypting scan of b", c -> scan(spark.read().options(pmeOptions()).parquet(dir.resolve("pme")
        .toString())));
    scans.put("columnseal source scan of d", c -> columnsealScan("cell"));
    scans.put("columnseal source scan of e", c -> pageModeScan("columnseal source scan of e",
        () -> columnsealScan("page")));
    scans.put("Spark + PageDecryption scan of e", c -> pageModeScan("Spark + PageDecryption scan of e",
        () -> scan(spark.read().options(pageDecryptionOptions()).parquet(latest.get("page").toString()))));

    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (int r = 0; r <= rounds; r++) {
      StringBuilder line = new StringBuilder(r == 0 ? "warm-up:" : "round " + r + ":");
      for (Map<String, Case> group : List.of(writes, scans)) {
        // Each round starts one case later, so no case always runs first (cold) or last.
        List<Map.Entry<String, Case>> order = new ArrayList<>(group.entrySet());
        java.util.Collections.rotate(order, -r);
        for (Map.Entry<String, Case> c : order) {
          long t0 = System.nanoTime();
          long b = c.getValue().run(r == 0 ? warmUp : csv);
          double s = (System.nanoTime() - t0) / 1e9;
          line.append(String.format(" %s %s;", c.getKey().substring(0, Math.min(14, c.getKey().length())),
              b < 0 ? "n/a" : String.format("%.1fs", s)));
          if (r > 0 && b >= 0) {
            seconds.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(s);
            bytes.put(c.getKey(), b);
          }
        }
      }
      System.out.println(line);
      if (r == 0) {
        requirePmeHidesColumns();
      }
    }

    List<Map<String, Object>> writeRows = table(writes.keySet(), "a. plain CSV->Parquet copy", seconds, bytes, true);
    List<Map<String, Object>> scanRows = table(scans.keySet(), "plain scan of a", seconds, bytes, false);
    System.out.printf("%nmedian of %d rounds, %,d rows, %d cores%n", rounds, rows,
        Runtime.getRuntime().availableProcessors());
    System.out.print(text(writeRows, true));
    System.out.print(text(scanRows, false));
    if (pageUnavailable != null) {
      System.out.println("n/a: " + pageUnavailable);
    }
    scanUnavailable.forEach((c, why) -> System.out.println("n/a: " + c + ": " + why));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("startedAt", startedAt);
    report.put("finishedAt", Instant.now().toString());
    report.put("machine", Machine.describe());
    report.put("rows", rows);
    report.put("columns", 13);
    report.put("encryptedColumns", SENSITIVE);
    report.put("rounds", rounds);
    report.put("writes", writeRows);
    report.put("scans", scanRows);
    if (pageUnavailable != null) {
      report.put("pageModeUnavailable", pageUnavailable);
    }
    if (!scanUnavailable.isEmpty()) {
      report.put("pageModeScansUnavailable", scanUnavailable);
    }
    return report;
  }

  private static List<Map<String, Object>> table(Iterable<String> names, String base, Map<String, List<Double>> seconds,
      Map<String, Long> bytes, boolean withBytes) {
    double baseSeconds = Stats.median(seconds.get(base));
    List<Map<String, Object>> out = new ArrayList<>();
    for (String name : names) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("case", name);
      List<Double> s = seconds.get(name);
      r.put("available", s != null);
      if (s != null) {
        double m = Stats.median(s);
        r.put("medianSeconds", m);
        r.put("ratio", m / baseSeconds);
        r.put("seconds", s);
        if (withBytes) {
          r.put("outputBytes", bytes.get(name));
          r.put("bytesRatio", (double) bytes.get(name) / bytes.get(base));
        }
      }
      out.add(r);
    }
    return out;
  }

  private String text(List<Map<String, Object>> rows, boolean withBytes) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%n| %-46s | %8s | %6s | %13s | %7s |%n", "case", "median s", "ratio",
        withBytes ? "bytes" : "", withBytes ? "bytes x" : ""));
    b.append("|").append("-".repeat(48)).append("|---------:|-------:|--------------:|--------:|\n");
    for (Map<String, Object> r : rows) {
      if (!(Boolean) r.get("available")) {
        b.append(String.format("| %-46s | %8s | %6s | %13s | %7s |%n", r.get("case"), "n/a", "", "", ""));
        continue;
      }
      b.append(String.format("| %-46s | %8.2f | %5.2fx | %13s | %7s |%n", r.get("case"), (Double) r.get("medianSeconds"),
          (Double) r.get("ratio"), withBytes ? String.format("%,d", (Long) r.get("outputBytes")) : "",
          withBytes ? String.format("%.2fx", (Double) r.get("bytesRatio")) : ""));
    }
    return b.toString();
  }

  /** The sample generator's rows plus a phone number (its own seeded stream), as CSV. */
  static void writeCsv(long seed, long rows, Path file) throws Exception {
    Random phones = new Random(seed ^ 0x70686f6e65L);
    Iterator<io.columnseal.samples.CardTransaction> it = CardDataGenerator.stream(seed, rows).iterator();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(CardCsv.HEADER + ",phone\n");
      while (it.hasNext()) {
        String line = CardCsv.line(it.next());
        w.write(line, 0, line.length() - 1);
        w.write(String.format(",+1-%03d-%03d-%04d%n", 200 + phones.nextInt(800), phones.nextInt(1000),
            phones.nextInt(10000)));
      }
    }
  }

  private Dataset<Row> readCsv(Path csv) {
    return spark.read().options(CSV).schema(DDL).csv(csv.toString());
  }

  private long plainCopy(Path csv) throws Exception {
    Path out = dir.resolve("copy");
    readCsv(csv).write().mode("overwrite").parquet(out.toString());
    return Files2.parquetBytes(out);
  }

  /**
   * PME through Spark's write options (they reach the Hadoop configuration ParquetOutputFormat
   * reads): one master key for the 6 columns, a footer key, plaintext footer. parquet-hadoop
   * 1.13.1's InMemoryKMS is in its test jar only, so the in-memory KMS is {@link BenchKmsClient}.
   */
  static Map<String, String> pmeOptions() {
    return Map.of("parquet.crypto.factory.class", PME_FACTORY,
        "parquet.encryption.kms.client.class", BenchKmsClient.class.getName(),
        "parquet.encryption.column.keys", "columnKey:" + String.join(",", SENSITIVE),
        "parquet.encryption.footer.key", "footerKey",
        "parquet.encryption.plaintext.footer", "true");
  }

  private long pmeAlone(Path csv) throws Exception {
    Path out = dir.resolve("pme");
    readCsv(csv).write().mode("overwrite").options(pmeOptions()).parquet(out.toString());
    return Files2.parquetBytes(out);
  }

  private long aesEncrypt(Path csv) throws Exception {
    Dataset<Row> df = readCsv(csv);
    for (String c : SENSITIVE) {
      df = df.withColumn(c, expr("aes_encrypt(" + c + ", unhex('" + AES_KEY_HEX + "'), 'GCM')"));
    }
    Path out = dir.resolve("aes");
    df.write().mode("overwrite").parquet(out.toString());
    return Files2.parquetBytes(out);
  }

  /**
   * The real encrypt command (config checks, job, commit), local keyring. Page mode's refusal
   * (exit 2: a configuration error, before any Spark job or key call) makes that case n/a.
   */
  private long columnseal(Path csv, String mode) throws Exception {
    if (mode.equals("page") && pageUnavailable != null) {
      return -1;
    }
    Path out = dir.resolve(mode + "-" + System.nanoTime());
    List<String> args = new ArrayList<>(List.of("encrypt", "--set", "dataset=bench-" + mode,
        "--set", "input.path=" + csv, "--set", "input.format=csv", "--set", "input.schema=" + DDL,
        "--set", "encrypt.columns=" + String.join(",", SENSITIVE), "--set", "kms.provider=local",
        "--set", "kms.keyring=" + keyring, "--set", "kms.key=alias/bench", "--set", "output.path=" + out,
        "--set", "output.mode=overwrite"));
    CSV.forEach((k, v) -> args.addAll(List.of("--set", "input.options." + k + "=" + v)));
    if (mode.equals("page")) {
      args.addAll(List.of("--set", "encrypt.mode=page"));
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try (PrintStream tee = new PrintStream(new TeeStream(err, captured), true, StandardCharsets.UTF_8)) {
      System.setErr(tee);
      code = Main.run(args.toArray(new String[0]));
    } finally {
      System.setErr(err);
    }
    if (code == 2 && mode.equals("page")) {
      String why = captured.toString(StandardCharsets.UTF_8).strip().lines().reduce((x, y) -> y).orElse("");
      // The refusal names the key and lists the allowed ones: keep its first sentence.
      pageUnavailable = "encrypt.mode page not available (" + why.split(";")[0] + ")";
      System.out.println("page mode: n/a, " + pageUnavailable);
      return -1;
    }
    if (code != 0) {
      throw new IllegalStateException("columnseal encrypt (" + mode + " mode) exited " + code);
    }
    latest.put(mode, out);
    return Files2.parquetBytes(out);
  }

  /** A full scan: every column of every row materialised, nothing written. */
  private static long scan(Dataset<Row> df) {
    df.write().format("noop").mode("overwrite").save();
    return 0;
  }

  /**
   * A page-mode reader may land after page mode's writer: until then its failure makes that
   * case n/a with the reason, not the whole run.
   */
  private long pageModeScan(String name, java.util.concurrent.Callable<Long> scan) {
    if (pageUnavailable != null || scanUnavailable.containsKey(name)) {
      return -1;
    }
    try {
      return scan.call();
    } catch (Exception e) { // SparkException is checked, though Scala throws it undeclared
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String why = root.getClass().getSimpleName() + ": "
          + String.valueOf(root.getMessage()).lines().findFirst().orElse("");
      scanUnavailable.put(name, why);
      System.out.println(name + ": n/a, " + why);
      return -1;
    }
  }

  /**
   * Plain Spark reading a page-mode dataset with only PME's factory key naming columnseal's
   * decryption factory and its Hadoop keys (the contract's documented reader, no data source).
   */
  private Map<String, String> pageDecryptionOptions() {
    return Map.of("parquet.crypto.factory.class", "io.columnseal.jobs.decrypt.PageDecryption",
        "columnseal.page.dataset", latest.get("page").toUri().toString(),
        "columnseal.kms.provider", "local",
        "columnseal.kms.keyring", keyring.toString());
  }

  private long columnsealScan(String mode) {
    return scan(spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", keyring.toString()).load(latest.get(mode).toString()));
  }

  /** PME must be on: without its crypto factory an encrypted column must not read. */
  private void requirePmeHidesColumns() {
    System.out.println("checking that PME output does not read without keys (an error is logged: expected)");
    boolean readable;
    try {
      spark.read().parquet(dir.resolve("pme").toString()).select(SENSITIVE.get(0)).limit(1).collectAsList();
      readable = true;
    } catch (Exception expected) {
      readable = false;
    }
    if (readable) {
      throw new IllegalStateException("the PME output reads without keys: PME is not on");
    }
  }

  /** Copies what the CLI prints on stderr, so a refusal line can be reported. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
