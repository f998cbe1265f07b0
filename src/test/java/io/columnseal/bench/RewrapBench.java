package io.columnseal.bench;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.rewrap.RewrapJob;
import io.columnseal.jobs.rewrap.RewrapReport;
import io.columnseal.jobs.rewrap.RewrapSettings;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Not a test: rewrap throughput against the in-process KMS test server through the real SDK
 * client. Builds a manifest of N DEKs (wrapped by the server directly), then rewraps all of them
 * with a fixed latency injected into every KMS answer, once per concurrency, with a rate limit
 * too high to matter, and prints DEKs per second. Run with
 * {@code jobs/bench-rewrap [deks] [latencyMillis] [concurrency,...]}.
 */
public final class RewrapBench {
  private RewrapBench() {}

  public static void main(String[] args) throws Exception {
    int deks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long latency = args.length > 1 ? Long.parseLong(args[1]) : 20;
    List<Integer> concurrencies = new ArrayList<>();
    for (String c : (args.length > 2 ? args[2] : "8,32,64").split(",")) {
      concurrencies.add(Integer.parseInt(c.trim()));
    }
    int maxConcurrency = concurrencies.stream().mapToInt(Integer::intValue).max().orElse(64);
    // Made-up credentials for the SDK's default chain; the server signs nothing and checks nothing.
    System.setProperty("aws.accessKeyId", "AKIDTESTBENCH");
    System.setProperty("aws.secretAccessKey", KmsTestServer.TEST_SECRET);

    Path dir = Files.createTempDirectory("columnseal-rewrap-bench");
    // One handler thread per call in flight, or the server, not the rewrap, sets the pace.
    try (KmsTestServer kms = KmsTestServer.start(maxConcurrency + 16)) {
      String[] keys = {kms.createKey("bench A"), kms.createKey("bench B")};
      KeyServiceSpec spec = kms.spec();
      Path dataset = dir.resolve("dataset");
      long t0 = System.nanoTime();
      buildManifest(kms, keys[0], dataset, deks);
      System.out.printf("manifest of %,d DEKs under key A built in %.1f s%n", deks, (System.nanoTime() - t0) / 1e9);
      kms.log().clear();

      // Warm-up (JIT, SDK client, connections): a small dataset, rewrapped once, not measured.
      Path warmUp = dir.resolve("warm-up");
      buildManifest(kms, keys[0], warmUp, Math.min(deks, 5_000));
      try (KeyService k = RewrapJob.openKeyService(spec, maxConcurrency)) {
        RewrapJob.run(new Configuration(), RewrapSettings.builder(warmUp.toString(), keys[1])
            .concurrency(maxConcurrency).maxRate(1_000_000).build(), k);
      }
      kms.log().clear();

      kms.faults().latency(Duration.ofMillis(latency));
      System.out.printf("%nrewrap of %,d DEKs, %d ms latency per KMS call, %d cores, server handler threads %d:%n",
          deks, latency, Runtime.getRuntime().availableProcessors(), maxConcurrency + 16);
      int round = 0;
      for (int concurrency : concurrencies) {
        String target = keys[++round % 2];
        RewrapSettings s = RewrapSettings.builder(dataset.toString(), target).concurrency(concurrency)
            .maxRate(1_000_000).progress(System.out, Duration.ofSeconds(10)).build();
        long start = System.nanoTime();
        RewrapReport r;
        try (KeyService k = RewrapJob.openKeyService(spec, concurrency)) {
          r = RewrapJob.run(new Configuration(), s, k);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long calls = kms.log().count("ReEncrypt", "OK");
        kms.log().clear();
        System.out.printf("  concurrency %3d: %,8.0f DEKs/s while ReEncrypting (ideal %,6.0f), %,d ReEncrypts, "
            + "%.1f s wall incl. plan, sample check and commit%n", concurrency, r.reEncryptsPerSecond,
            concurrency * 1000.0 / Math.max(1, latency), calls, wall);
      }
    }
  }

  /** Commit 1: an ENCRYPT with N DEKs the server wrapped under {@code key}, and no data files. */
  private static void buildManifest(KmsTestServer kms, String key, Path dataset, int deks) {
    String datasetId = "bench";
    SecureRandom random = new SecureRandom();
    Instant now = Instant.now();
    CommitDraft.Builder draft = CommitDraft.builder(CommitKind.ENCRYPT, datasetId, "bench")
        .schema(List.of(ColumnRecord.of("card_number", "string", true, true)));
    for (int i = 0; i < deks; i++) {
      DekId id = DekId.random(random);
      EncryptionContext ctx = EncryptionContext.forDek(datasetId, id.hex(), Map.of());
      draft.addDek(DekRecord.builder().id(id).keyArn(key).wrappedKey(kms.generateWrappedDataKey(key, ctx.asMap()))
          .encryptionContext(ctx).cells(0).runId("bench").created(now).build());
    }
    ManifestStore.at(new org.apache.hadoop.fs.Path(dataset.resolve("_columnseal").toString()), new Configuration())
        .commit(draft.build(), 0);
  }
}
