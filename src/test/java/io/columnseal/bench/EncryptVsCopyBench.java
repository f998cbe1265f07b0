package io.columnseal.bench;

import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: encrypting N generated card rows from CSV to Parquet next to a plain
 * CSV-to-Parquet copy of the same rows, in one Spark session, alternating, medians.
 * Run with jobs/bench-encrypt [rows] [rounds] [policies]. A third way applies issue 14's column
 * policies; {@code policies=false} leaves it out (its FF1 card numbers take minutes at 1M rows).
 */
public final class EncryptVsCopyBench {
  private static final Map<String, String> CSV = Map.of("header", "true", "quote", "\"", "escape", "\"",
      "dateFormat", "yyyy-MM-dd", "timestampFormat", "yyyy-MM-dd HH:mm:ss");

  private EncryptVsCopyBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    boolean withPolicies = args.length <= 2 || Boolean.parseBoolean(args[2]);
    Path dir = Files.createTempDirectory("columnseal-bench");
    Path csv = dir.resolve("cards.csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, rows, csv);
    System.out.printf("input: %,d rows, %,d bytes of CSV%n", rows, Files.size(csv));

    SparkSession spark = SparkSession.builder().master("local[*]").appName("columnseal bench")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "benchmark key");
    }
    EncryptSettings settings = EncryptSettings.builder().datasetId("bench").inputPath(csv.toString())
        .inputFormat("csv").inputOptions(CSV).inputSchema(CardSchema.DDL)
        .columns(List.of("card_number", "cardholder_name", "cvv", "street_address"))
        .keyService(KeyServiceSpec.local(keyring.toString())).kmsKey("alias/bench")
        .outputPath(dir.resolve("enc").toString()).mode(OutputMode.OVERWRITE).build();
    // Issue 14's mix: card_number fpe (last 4 and Luhn kept: keepFirst 6 as well would leave 14-
    // and 15-digit numbers fewer than the 6 encrypted digits FF1 needs), names deterministic,
    // address randomized, cvv dropped.
    EncryptSettings mixed = EncryptSettings.builder().datasetId("bench-policies").inputPath(csv.toString())
        .inputFormat("csv").inputOptions(CSV).inputSchema(CardSchema.DDL).policies(List.of(
            ColumnPolicy.of("card_number", "fpe", null, Map.of("keepLast", "4", "luhn", "true")),
            ColumnPolicy.of("cardholder_name", "deterministic", null, Map.of()),
            ColumnPolicy.randomized("street_address"),
            ColumnPolicy.of("cvv", "drop", null, Map.of())))
        .keyService(KeyServiceSpec.local(keyring.toString())).kmsKey("alias/bench")
        .outputPath(dir.resolve("mixed").toString()).mode(OutputMode.OVERWRITE).build();

    List<Double> copy = new ArrayList<>();
    List<Double> copyCpu = new ArrayList<>();
    List<Double> checkedCpu = new ArrayList<>();
    List<Double> failFastCpu = new ArrayList<>();
    List<Double> encCpu = new ArrayList<>();
    List<Double> checked = new ArrayList<>();
    List<Double> enc = new ArrayList<>();
    List<Double> mix = new ArrayList<>();
    long copyBytes = 0;
    long encBytes = 0;
    long mixBytes = 0;
    for (int r = 0; r <= rounds; r++) {
      long t0 = System.nanoTime();
      long u0 = cpuNanos();
      spark.read().options(CSV).schema(CardSchema.DDL).csv(csv.toString())
          .write().mode("overwrite").parquet(dir.resolve("copy").toString());
      double c = (System.nanoTime() - t0) / 1e9;
      double cu = (cpuNanos() - u0) / 1e9;
      t0 = System.nanoTime();
      u0 = cpuNanos();
      checkedCopy(spark, csv, dir.resolve("checked"));
      double cc = (System.nanoTime() - t0) / 1e9;
      double ccu = (cpuNanos() - u0) / 1e9;
      u0 = cpuNanos();
      spark.read().options(CSV).option("mode", "FAILFAST").schema(CardSchema.DDL).csv(csv.toString())
          .write().mode("overwrite").parquet(dir.resolve("failfast").toString());
      double ffu = (cpuNanos() - u0) / 1e9;
      t0 = System.nanoTime();
      u0 = cpuNanos();
      EncryptJob.run(spark, settings);
      double e = (System.nanoTime() - t0) / 1e9;
      double eu = (cpuNanos() - u0) / 1e9;
      double m = 0;
      if (withPolicies) {
        t0 = System.nanoTime();
        EncryptJob.run(spark, mixed);
        m = (System.nanoTime() - t0) / 1e9;
      }
      if (r == 0) {
        System.out.printf("warm-up: copy %.2f s, checked copy %.2f s, encrypt %.2f s, policies %.2f s%n", c, cc, e, m);
        continue;
      }
      copy.add(c);
      checked.add(cc);
      copyCpu.add(cu);
      checkedCpu.add(ccu);
      failFastCpu.add(ffu);
      encCpu.add(eu);
      enc.add(e);
      mix.add(m);
      copyBytes = bytes(dir.resolve("copy"));
      encBytes = bytes(dir.resolve("enc"));
      mixBytes = withPolicies ? bytes(dir.resolve("mixed")) : 0;
      System.out.printf("round %d: copy %.2f s (cpu %.2f s), checked copy %.2f s (cpu %.2f s), FAILFAST copy (cpu"
          + " %.2f s), encrypt %.2f s (cpu %.2f s), policies %.2f s%n", r, c, cu, cc, ccu, ffu, e, eu, m);
    }
    double mc = median(copy);
    double me = median(enc);
    System.out.printf("%nmedian of %d rounds, %,d rows, local[*] on %d cores:%n", rounds, rows,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("  plain CSV->Parquet copy  %6.2f s  1.00x  %,d bytes%n", mc, copyBytes);
    double mcc = median(checked);
    System.out.printf("  copy, rows checked       %6.2f s  %.2fx  (the copy reading CSV as quarantine does: corrupt-record"
        + " and file columns)%n", mcc, mcc / mc);
    System.out.printf("  columnseal encrypt       %6.2f s  %.2fx  %,d bytes (%.2fx)%n", me, me / mc, encBytes,
        (double) encBytes / copyBytes);
    double cpuCopy = median(copyCpu);
    System.out.printf("  process CPU, medians: copy %.2f s, copy with rows checked %.2f s (%.2fx), copy read FAILFAST"
        + " %.2f s (%.2fx), encrypt %.2f s (%.2fx)%n", cpuCopy, median(checkedCpu), median(checkedCpu) / cpuCopy,
        median(failFastCpu), median(failFastCpu) / cpuCopy, median(encCpu), median(encCpu) / cpuCopy);
    chunkBytes(dir.resolve("enc"), settings.columns);
    if (!withPolicies) {
      spark.stop();
      return;
    }
    double mm = median(mix);
    System.out.printf("  columnseal policies      %6.2f s  %.2fx  %,d bytes (%.2fx)  fpe card, deterministic name,"
        + " randomized address, cvv dropped%n", mm, mm / mc, mixBytes, (double) mixBytes / copyBytes);
    spark.stop();
  }

  /**
   * The plain copy, reading the CSV as encrypt's InputReader does with input.malformed=quarantine
   * or output.partitions (and did always before the FAILFAST read): Spark's corrupt-record column
   * and {@code _metadata.file_path} per row, both dropped before the write after a row check.
   */
  private static void checkedCopy(SparkSession spark, Path csv, Path out) {
    Map<String, String> options = new java.util.HashMap<>(CSV);
    options.put("mode", "PERMISSIVE");
    options.put("columnNameOfCorruptRecord", "_corrupt");
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> raw = spark.read().options(options)
        .schema(org.apache.spark.sql.types.StructType.fromDDL(CardSchema.DDL + ", _corrupt STRING")).csv(csv.toString());
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    for (String name : CardSchema.COLUMNS) {
      cols.add(raw.col(name));
    }
    cols.add(raw.col("_corrupt"));
    cols.add(org.apache.spark.sql.functions.col("_metadata.file_path").as("_file"));
    raw.select(cols.toArray(new org.apache.spark.sql.Column[0]))
        .where(org.apache.spark.sql.functions.col("_corrupt").isNull().and(org.apache.spark.sql.functions.col("_file").isNotNull()))
        .drop("_corrupt", "_file").write().mode("overwrite").parquet(out.toString());
  }

  /**
   * What Snappy does to the encrypted columns, from the footers: their column chunks' bytes
   * after and before compression, next to the clear columns'.
   */
  private static void chunkBytes(Path root, List<String> encrypted) throws IOException {
    long[] sealed = new long[2];
    long[] clear = new long[2];
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_columnseal"))
          .collect(java.util.stream.Collectors.toList());
    }
    for (Path f : files) {
      try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
          org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()),
              new org.apache.hadoop.conf.Configuration()))) {
        for (org.apache.parquet.hadoop.metadata.BlockMetaData b : r.getFooter().getBlocks()) {
          for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : b.getColumns()) {
            long[] t = encrypted.contains(c.getPath().toDotString()) ? sealed : clear;
            t[0] += c.getTotalSize();
            t[1] += c.getTotalUncompressedSize();
          }
        }
      }
    }
    System.out.printf("  encrypt's column chunks: encrypted %,d bytes (%,d before Snappy, %.3f), clear %,d (%,d, %.3f)%n",
        sealed[0], sealed[1], (double) sealed[0] / sealed[1], clear[0], clear[1], (double) clear[0] / clear[1]);
  }

  /** CPU time of the whole process (all Spark threads, JIT, GC): steadier than wall time on a shared machine. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static long bytes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("_columnseal"))
          .filter(p -> p.getFileName().toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
