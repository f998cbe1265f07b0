package io.columnseal.sql;

import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Not a test: reading in place against a plain Parquet scan of the plain copy, on N generated
 * card rows (4 sensitive columns): every column, clear columns only, and the four columns opened
 * by columnseal_decrypt (code-generated) vs the same opening in a row-at-a-time Java UDF. Each
 * scan ends in Spark's noop sink, so every column is materialised. Alternating rounds after a
 * warm-up, medians; then the selective query (a filter on a clear partition column) with its KMS
 * Decrypt count. Run with jobs/bench-read [rows] [rounds].
 */
public final class ReadInPlaceBench {
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name", "cvv", "street_address");
  private static final Map<String, String> CSV = Map.of("header", "true", "quote", "\"", "escape", "\"",
      "dateFormat", "yyyy-MM-dd", "timestampFormat", "yyyy-MM-dd HH:mm:ss");

  private ReadInPlaceBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("columnseal-bench-read");
    Path csv = dir.resolve("cards.csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, rows, csv);
    SparkSession spark = SparkSession.builder().master("local[*]").appName("columnseal bench read")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", ColumnsealExtensions.class.getName())
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "benchmark key");
    }
    String plain = dir.resolve("plain").toString();
    String enc = dir.resolve("enc").toString();
    spark.read().options(CSV).schema(CardSchema.DDL).csv(csv.toString()).write().parquet(plain);
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("bench").inputPath(csv.toString()).inputFormat("csv")
        .inputOptions(CSV).inputSchema(CardSchema.DDL).columns(SENSITIVE)
        .keyService(KeyServiceSpec.local(keyring.toString())).kmsKey("alias/bench").outputPath(enc)
        .mode(OutputMode.OVERWRITE).build());
    spark.conf().set("spark.columnseal.kms.provider", "local");
    spark.conf().set("spark.columnseal.kms.keyring", keyring.toString());

    Supplier<Dataset<Row>> source = () -> spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", keyring.toString()).load(enc);
    String[] clear = spark.read().parquet(plain).drop(SENSITIVE.toArray(new String[0])).columns();
    StringBuilder fn = new StringBuilder("SELECT ");
    StringBuilder udf = new StringBuilder("SELECT ");
    for (String c : SENSITIVE) {
      fn.append(fn.length() > 7 ? ", " : "").append("columnseal_decrypt(").append(c).append(", '").append(enc)
          .append("', '").append(c).append("') AS ").append(c);
      DecryptCell e = (DecryptCell) ColumnsealExtensions.build(List.of(
          new org.apache.spark.sql.catalyst.expressions.BoundReference(0, DataTypes.BinaryType, true),
          org.apache.spark.sql.catalyst.expressions.Literal.create(enc, DataTypes.StringType),
          org.apache.spark.sql.catalyst.expressions.Literal.create(c, DataTypes.StringType)));
      DatasetColumn column = (DatasetColumn) e.productElement(1);
      spark.udf().register("udf_" + c, (UDF1<byte[], String>) cell -> cell == null ? null
          : column.open(cell).toString(), DataTypes.StringType);
      udf.append(udf.length() > 7 ? ", " : "").append("udf_").append(c).append("(").append(c).append(") AS ").append(c);
    }
    spark.read().parquet(enc).createOrReplaceTempView("cells");
    Map<String, Supplier<Dataset<Row>>> scans = new LinkedHashMap<>();
    scans.put("plain Parquet scan, every column", () -> spark.read().parquet(plain));
    scans.put("columnseal source, every column", source);
    scans.put("plain Parquet scan, clear columns", () -> spark.read().parquet(plain).selectExpr(clear));
    scans.put("columnseal source, clear columns", () -> source.get().selectExpr(clear));
    scans.put("plain Parquet scan, the 4 columns", () -> spark.read().parquet(plain).selectExpr(
        SENSITIVE.toArray(new String[0])));
    scans.put("columnseal_decrypt (codegen), 4 columns", () -> spark.sql(fn + " FROM cells"));
    scans.put("Java UDF, 4 columns", () -> spark.sql(udf + " FROM cells"));

    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    scans.keySet().forEach(k -> seconds.put(k, new ArrayList<>()));
    for (int r = 0; r <= rounds; r++) {
      for (Map.Entry<String, Supplier<Dataset<Row>>> s : scans.entrySet()) {
        long t0 = System.nanoTime();
        s.getValue().get().write().format("noop").mode("overwrite").save();
        double t = (System.nanoTime() - t0) / 1e9;
        if (r > 0) {
          seconds.get(s.getKey()).add(t);
        }
        System.out.printf("round %d: %-42s %6.2f s%n", r, s.getKey(), t);
      }
    }
    System.out.printf("%n%,d rows, median of %d rounds after a warm-up, local[*] on %d cores:%n", rows, rounds,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("| scan | median s |%n| --- | ---: |%n");
    seconds.forEach((k, v) -> System.out.printf("| %s | %.2f |%n", k, median(v)));
    selective(spark, dir, csv, rounds);
    spark.stop();
  }

  /**
   * The selective query: the same rows sealed partitioned by state (through the KMS test server,
   * so its request log counts the Decrypt calls), a filter on one state, every column. Prints the
   * time next to a plain Parquet scan of a copy partitioned the same way, the share of files read,
   * and the KMS Decrypt calls next to the DEKs bound to the files read.
   */
  private static void selective(SparkSession spark, Path dir, Path csv, int rounds) {
    System.setProperty("aws.accessKeyId", "AKIDBENCHREAD");
    System.setProperty("aws.secretAccessKey", "bench-secret-not-a-real-key");
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/bench", kms.createKey("selective bench"));
      Dataset<Row> in = spark.read().options(CSV).schema(CardSchema.DDL).csv(csv.toString());
      String plain = dir.resolve("plain-by-state").toString();
      String enc = dir.resolve("enc-by-state").toString();
      // One task per state (so its files have their own DEK), as a dataset loaded by day or region is.
      Dataset<Row> byState = in.repartition(org.apache.spark.sql.functions.col("state"));
      byState.write().partitionBy("state").parquet(plain);
      spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "false"); // keep a task per state
      EncryptJob.run(spark, EncryptSettings.builder().datasetId("bench-by-state").inputPath("(memory)")
          .columns(SENSITIVE).keyService(kms.spec()).kmsKey("alias/bench").outputPath(enc)
          .partitionBy(List.of("state")).mode(OutputMode.OVERWRITE).build(), byState);
      spark.conf().unset("spark.sql.adaptive.coalescePartitions.enabled");
      long total = in.count();
      // The state whose row count is nearest 1% of the rows.
      String state = in.where("state IS NOT NULL").groupBy("state").count().collectAsList().stream()
          .min(java.util.Comparator.comparingDouble(r -> Math.abs(r.getLong(1) - total / 100.0))).orElseThrow()
          .getString(0);
      ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"),
          spark.sparkContext().hadoopConfiguration()).read().orElseThrow();
      List<String> read = m.liveFiles().stream().filter(f -> f.startsWith("state=" + state + "/")).toList();
      java.util.Set<String> readDeks = new java.util.TreeSet<>();
      read.forEach(f -> m.boundFile(f).orElseThrow().deks().forEach(d -> readDeks.add(d.toString())));
      String where = "state = '" + state + "'";
      List<Double> plainS = new ArrayList<>();
      List<Double> sourceS = new ArrayList<>();
      List<Integer> calls = new ArrayList<>();
      for (int r = 0; r <= rounds; r++) {
        long t0 = System.nanoTime();
        spark.read().parquet(plain).where(where).write().format("noop").mode("overwrite").save();
        double p = (System.nanoTime() - t0) / 1e9;
        DataKeyCache.shared().clear();
        kms.log().clear();
        t0 = System.nanoTime();
        spark.read().format("columnseal").option("kms.provider", "aws").option("kms.region", KmsTestServer.REGION)
            .option("kms.endpoint", kms.endpoint().toString()).load(enc).where(where)
            .write().format("noop").mode("overwrite").save();
        double t = (System.nanoTime() - t0) / 1e9;
        int n = kms.log().of("Decrypt").size();
        System.out.printf("round %d: selective (%s): plain %.2f s, source %.2f s, %d KMS Decrypt%n", r, where, p, t, n);
        if (r > 0) {
          plainS.add(p);
          sourceS.add(t);
          calls.add(n);
        }
      }
      System.out.printf("%nselective query %s, every column: %d of %d live files (%.1f%%), %,d of %,d rows;%n", where,
          read.size(), m.liveFiles().size(), 100.0 * read.size() / m.liveFiles().size(),
          spark.read().parquet(plain).where(where).count(), total);
      System.out.printf("| plain Parquet scan (partitioned copy) | %.2f |%n| columnseal source | %.2f |%n",
          median(plainS), median(sourceS));
      System.out.printf("KMS Decrypt calls per round %s; DEKs bound to the files read: %d of %d%n", calls,
          readDeks.size(), m.deks().size());
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    return s.get(s.size() / 2);
  }
}
