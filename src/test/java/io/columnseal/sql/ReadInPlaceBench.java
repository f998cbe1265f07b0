package io.columnseal.sql;

import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
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
 * warm-up, medians. Run with jobs/bench-read [rows] [rounds].
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
    spark.stop();
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    return s.get(s.size() / 2);
  }
}
