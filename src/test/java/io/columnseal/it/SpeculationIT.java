package io.columnseal.it;

import static io.columnseal.it.SparkSubmitIT.args;
import static io.columnseal.it.SparkSubmitIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.samples.CardDataGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * encrypt with spark.speculation=true on a real standalone cluster (two Workers, real executor
 * JVMs; see {@link StandaloneCluster} for why local mode and local-cluster cannot speculate),
 * through spark-submit. The event log must show a speculative attempt; then verify must find
 * every DEK of the data in the manifest with the data's cell counts (nothing lost, nothing
 * counted twice), and decrypt + compare must give the input back exactly.
 *
 * <p>How a task is made slow without a test hook in the job: the input is one large gzip CSV
 * (gzip cannot be split, so it is one partition) and a few small CSV files (one partition
 * each, by the file-split settings below). The large task runs many times longer than the
 * median, which is what Spark speculates on.
 */
class SpeculationIT {
  private static final long LARGE_ROWS = 150_000;
  private static final int SMALL_FILES = 3;
  private static final long SMALL_ROWS = 200;
  private static final long ROWS = LARGE_ROWS + SMALL_FILES * SMALL_ROWS;
  private static final int PARTITIONS = 1 + SMALL_FILES;

  @Test
  void speculativeAttemptsLeaveEveryCommittedDekInTheManifestOnce() throws Exception {
    Path work = ItPaths.freshWorkDir("speculation");
    SparkHome spark = SparkHome.create(work.resolve("spark-home"), ItPaths.target());
    Submission submit = new Submission(spark, ItPaths.shadedJar(), work);
    Path input = writeSkewedInput(work.resolve("in"));
    Path keyring = work.resolve("local.keyring.json");
    Path encrypted = work.resolve("cards_enc");
    Path events = Files.createDirectories(work.resolve("events"));
    List<String> spec = List.of("--config", resource("it/speculation.yaml").toString(),
        "--set", "input.path=" + input,
        "--set", "kms.keyring=" + keyring,
        "--set", "output.path=" + encrypted);
    // SparkSubmitIT runs `keys create` through spark-submit; here the key is only set-up.
    try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring)) {
      ring.createKey("alias/columnseal-speculation", "SpeculationIT");
    }

    Submission.Result enc;
    try (StandaloneCluster cluster = StandaloneCluster.start(spark, work.resolve("cluster"), List.of("localhost", "127.0.0.1"))) {
      enc = ok(submit.run("encrypt", cluster.masterUrl(), List.of(
          "spark.speculation=true",
          "spark.speculation.multiplier=1.1",
          "spark.speculation.quantile=0.1",
          "spark.speculation.minTaskRuntime=500ms",
          "spark.eventLog.enabled=true",
          "spark.eventLog.dir=" + events.toUri(),
          // One partition per small file: a file costs as much as a whole split.
          "spark.sql.files.maxPartitionBytes=1m",
          "spark.sql.files.openCostInBytes=1m"),
          args(List.of("encrypt"), spec)));
    }
    assertTrue(enc.stdout().contains(ROWS + " rows written"), enc.describe());

    EventLog log = EventLog.readOnly(events);
    System.out.println("SpeculationIT: task attempts in " + log.file + "\n  " + String.join("\n  ", log.summary()));
    List<EventLog.Attempt> speculative = log.speculativeStarts();
    assertFalse(speculative.isEmpty(), "no speculative attempt was launched (if the large task ended before the small"
        + " ones, raise LARGE_ROWS): " + log.summary());
    // The write stage ran more attempts than it has partitions (each made its own DEK), yet the
    // manifest below holds one DEK per partition.
    int writeStage = speculative.get(0).stage();
    assertEquals(PARTITIONS, log.starts.stream().filter(a -> a.stage() == writeStage).mapToInt(EventLog.Attempt::index)
        .distinct().count(), log.summary().toString());
    assertTrue(log.starts.stream().filter(a -> a.stage() == writeStage).count() > PARTITIONS, log.summary().toString());
    assertFalse(log.text.contains(firstCardNumber()), "a card number reached the Spark event log");

    Submission.Result verify = ok(submit.run("verify", "local[2]", List.of(),
        args(List.of("verify", "--dataset", encrypted.toString()), spec)));
    assertTrue(verify.stdout().contains("(manifest version 1): OK"), verify.describe());
    assertTrue(verify.stdout().contains("rows: " + ROWS + " found / " + ROWS + " expected"), verify.describe());
    assertTrue(verify.stdout().contains("DEKs: " + PARTITIONS + " in manifest, " + PARTITIONS + " in data"),
        verify.describe());

    // The manifest on its own: one DEK per committed partition, whose cells add up to the run's cells.
    ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(encrypted.toString(), "_columnseal"),
        new Configuration()).read().orElseThrow();
    assertEquals(PARTITIONS, m.deks().size());
    Map<String, Long> stats = m.lastCommit().stats();
    assertEquals(ROWS, stats.get("rows"));
    long cellsInStats = stats.entrySet().stream().filter(e -> e.getKey().startsWith("cells."))
        .mapToLong(Map.Entry::getValue).sum();
    assertEquals(cellsInStats, m.deks().values().stream().mapToLong(DekRecord::cells).sum());
    assertEquals(ROWS, stats.get("cells.card_number"), "every row has a card number, sealed once");

    Path decrypted = work.resolve("cards_dec");
    ok(submit.run("decrypt", "local[2]", List.of(),
        args(List.of("decrypt", "--dataset", encrypted.toString(), "--output", decrypted.toString()), spec)));
    Submission.Result compare = ok(submit.run("compare", "local[2]", List.of(),
        args(List.of("compare", "--decrypted", decrypted.toString()), spec)));
    assertTrue(compare.stdout().startsWith("IDENTICAL: " + ROWS + " rows x 12 columns"), compare.describe());
  }

  /** One large gzip CSV and a few small plain ones, each with a header, from different seeds. */
  private static Path writeSkewedInput(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("large.csv.gz")), 1 << 16)) {
      CardDataGenerator.writeCsv(1, LARGE_ROWS, out);
    }
    for (int i = 0; i < SMALL_FILES; i++) {
      CardDataGenerator.writeCsv(100 + i, SMALL_ROWS, dir.resolve("small-" + i + ".csv"));
    }
    return dir;
  }

  private static String firstCardNumber() {
    return CardDataGenerator.rows(1, 1).get(0).cardNumber();
  }

  private static Path resource(String name) throws Exception {
    return Paths.get(SpeculationIT.class.getClassLoader().getResource(name).toURI());
  }
}
