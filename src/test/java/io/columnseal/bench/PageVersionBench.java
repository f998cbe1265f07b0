package io.columnseal.bench;

import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.ParquetPages;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: the output bytes of encrypt with data page v1 (the default) and v2
 * (output.parquetPages), next to a plain CSV-to-Parquet copy, on the same N generated card
 * rows, alternating, one warm-up round, medians of the times. The bytes are exact; the times
 * are indicative. Run with jobs/bench-pages [rows] [rounds].
 */
public final class PageVersionBench {
  private static final Map<String, String> CSV = Map.of("header", "true", "dateFormat", "yyyy-MM-dd",
      "timestampFormat", "yyyy-MM-dd HH:mm:ss");

  private PageVersionBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 500_000L;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("columnseal-bench-pages");
    Path csv = dir.resolve("cards.csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, rows, csv);
    System.out.printf("input: %,d rows, %,d bytes of CSV%n", rows, Files.size(csv));

    SparkSession spark = SparkSession.builder().master("local[*]").appName("columnseal bench pages")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        // The plain copy writes timestamps as encrypt does.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "benchmark key");
    }
    EncryptSettings.Builder settings = EncryptSettings.builder().datasetId("bench").inputPath(csv.toString())
        .inputFormat("csv").inputOptions(CSV).inputSchema(CardSchema.DDL).columns(SideBySideBench.SENSITIVE)
        .keyService(KeyServiceSpec.local(keyring.toString())).kmsKey("alias/bench").mode(OutputMode.OVERWRITE);

    List<String> names = List.of("plain copy", "encrypt, data page v1", "encrypt, data page v2");
    List<List<Double>> seconds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    long[] bytes = new long[3];
    for (int r = 0; r <= rounds; r++) {
      for (int w = 0; w < 3; w++) {
        Path out = dir.resolve("out" + w);
        long t0 = System.nanoTime();
        if (w == 0) {
          spark.read().options(CSV).schema(CardSchema.DDL).csv(csv.toString()).write().mode("overwrite")
              .parquet(out.toString());
        } else {
          EncryptJob.run(spark, settings.outputPath(out.toString())
              .parquetPages(w == 1 ? ParquetPages.V1 : ParquetPages.V2).build());
        }
        double s = (System.nanoTime() - t0) / 1e9;
        bytes[w] = Files2.parquetBytes(out);
        if (r > 0) {
          seconds.get(w).add(s);
        }
        System.out.printf("round %d: %-22s %6.2f s %,d bytes%n", r, names.get(w), s, bytes[w]);
      }
    }
    System.out.printf("%n%,d rows, median of %d rounds after a warm-up, local[*] on %d cores:%n", rows, rounds,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("| output | bytes | vs plain copy | vs v1 | median s |%n| --- | ---: | ---: | ---: | ---: |%n");
    for (int w = 0; w < 3; w++) {
      System.out.printf("| %s | %,d | %.2fx | %s | %.2f |%n", names.get(w), bytes[w], (double) bytes[w] / bytes[0],
          w == 0 ? "" : String.format("%+.1f%%", 100.0 * (bytes[w] - bytes[1]) / bytes[1]),
          Stats.median(seconds.get(w)));
    }
    spark.stop();
  }
}
