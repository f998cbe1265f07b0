package io.columnseal.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: peak heap of one local-mode JVM (driver and executors together) encrypting N
 * generated rows. Run it with a small -Xmx (jobs/bench-memory uses 1 GB) to show that memory
 * does not grow with the rows: a partition streams through its sealer, and the driver keeps
 * one ledger per task (DEKs and files), not per row.
 */
public final class MemoryBench {
  private MemoryBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    Path dir = Files.createTempDirectory("columnseal-memory");
    Path csv = dir.resolve("cards.csv");
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, rows, csv);
    Path keyring = dir.resolve("bench.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/bench", "memory benchmark key");
    }
    SparkSession spark = SparkSession.builder().master("local[2]").appName("columnseal memory bench")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    EncryptSettings settings = EncryptSettings.builder().datasetId("memory").inputPath(csv.toString())
        .inputFormat("csv").inputOptions(Map.of("header", "true", "quote", "\"", "escape", "\""))
        .inputSchema(CardSchema.DDL).columns(List.of("card_number", "cardholder_name", "cvv", "street_address"))
        .keyService(KeyServiceSpec.local(keyring.toString())).kmsKey("alias/bench")
        .outputPath(dir.resolve("enc").toString()).build();

    // Two figures: the most heap in use at any sample (garbage included), and the largest live
    // set a collection left behind (what the job really holds).
    AtomicLong maxUsed = new AtomicLong();
    AtomicLong maxLive = new AtomicLong();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
          GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long live = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
          maxLive.accumulateAndGet(live, Math::max);
        }
      }, null, null);
    }
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        maxUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    System.gc();
    sampler.start();
    long t0 = System.nanoTime();
    RunSummary run = EncryptJob.run(spark, settings);
    double secs = (System.nanoTime() - t0) / 1e9;
    sampler.interrupt();
    System.out.printf("rows=%,d csv=%,d bytes max-heap=%,d MiB: encrypt %.1f s, %d tasks, %d DEKs, "
        + "peak heap in use %,d MiB, peak live heap after GC %,d MiB%n", rows, Files.size(csv),
        Runtime.getRuntime().maxMemory() >> 20, secs, run.tasks, run.deks, maxUsed.get() >> 20, maxLive.get() >> 20);
    spark.stop();
  }
}
