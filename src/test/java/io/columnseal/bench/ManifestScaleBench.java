package io.columnseal.bench;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.manifest.RewrappedDek;
import io.columnseal.manifest.SyntheticLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;

/**
 * The manifest at scale (issue 12, "Measure"): a synthetic log of 1,000,000 DEKs in 10,000
 * commits, then one REWRAP of all of them. Each step runs in its own JVM (jobs/bench-manifest):
 * <pre>
 *   build DIR [commits] [deksPerCommit]   the log, written with the codec
 *   checkpoint DIR                        a checkpoint at the head (what the writer leaves every 10 commits)
 *   rewrap DIR before|after               one REWRAP commit of every DEK, timed
 *   open DIR before|after                 3 x: open the latest state, list one file's DEKs, count the
 *                                         KMS Decrypt calls to open that file's DEKs through DataKeyCache
 * </pre>
 * "before" reads without checkpoints (the replay of every commit, as main at 5d90ea6 does);
 * "after" reads from the newest checkpoint.
 */
public final class ManifestScaleBench {
  static final String DATASET = "cards_bench";
  static final String KEY_A = "arn:aws:kms:eu-west-1:111122223333:key/0f5e2d7c-1a2b-4c3d-8e9f-00000000000a";
  static final String KEY_B = "arn:aws:kms:eu-west-1:111122223333:key/0f5e2d7c-1a2b-4c3d-8e9f-00000000000b";
  /** A GenerateDataKey CiphertextBlob for AES-256 under a symmetric KMS key is 184 bytes. */
  static final int BLOB = 184;

  private ManifestScaleBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]).toAbsolutePath();
    switch (args[0]) {
      case "build": {
        int commits = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int deks = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        long t = System.nanoTime();
        SyntheticLog.write(dir.resolve("_columnseal"), DATASET, KEY_A, commits, deks, 3, BLOB, 12);
        print("build", commits + " commits x " + deks + " DEKs written in " + secs(System.nanoTime() - t));
        break;
      }
      case "checkpoint": {
        long t = System.nanoTime();
        long v = store(dir, true).checkpoint().orElseThrow();
        long bytes = Files.size(Path.of(store(dir, true).checkpointPath(v).toUri()));
        print("checkpoint", "version " + v + " written in " + secs(System.nanoTime() - t) + ", "
            + mb(bytes) + " on disk");
        break;
      }
      case "rewrap": {
        boolean after = "after".equals(args[2]);
        ManifestStore store = store(dir, after);
        HeapPeak.reset();
        long t = System.nanoTime();
        ManifestState s = store.read().orElseThrow();
        long opened = System.nanoTime();
        CommitDraft.Builder d = CommitDraft.builder(CommitKind.REWRAP, DATASET, "20261202T000000Z-0000beef");
        Random random = new Random(7);
        for (DekRecord r : s.deks().values()) {
          byte[] blob = new byte[BLOB];
          random.nextBytes(blob);
          d.rewrap(RewrappedDek.of(r, new WrappedKey(KEY_B, blob)));
        }
        store.commit(d.build(), s.version());
        long done = System.nanoTime();
        print("rewrap " + args[2], s.deks().size() + " DEKs: read " + secs(opened - t) + ", commit (replay check, write"
            + (after ? ", checkpoint" : "") + ") " + secs(done - opened) + ", total " + secs(done - t)
            + ", peak heap " + mb(HeapPeak.bytes()));
        break;
      }
      case "open": {
        boolean after = "after".equals(args[2]);
        List<Double> open = new ArrayList<>();
        List<Double> list = new ArrayList<>();
        List<Double> heap = new ArrayList<>();
        long decrypts = 0;
        int fileDeks = 0;
        long total = 0;
        for (int run = 0; run < 3; run++) {
          ManifestState s = null;
          HeapPeak.reset();
          long t = System.nanoTime();
          s = store(dir, after).read().orElseThrow();
          long opened = System.nanoTime();
          heap.add(HeapPeak.bytes() / 1e6);
          String file = s.liveFiles().first();
          List<DekRecord> deks = new ArrayList<>();
          for (DekId id : s.boundFile(file).map(FileRecord::deks).orElseThrow()) {
            deks.add(s.deks().get(id));
          }
          long listed = System.nanoTime();
          open.add((opened - t) / 1e6);
          list.add((listed - opened) / 1e6);
          // The decrypt opener's path: one DataKeyCache.acquire per DEK its cells name.
          CountingKeys kms = new CountingKeys();
          DataKeyCache cache = new DataKeyCache(java.time.Clock.systemUTC(), 1000, Duration.ofMinutes(5),
              Duration.ofMinutes(30));
          for (DekRecord d : deks) {
            cache.acquire(kms, d.id(), d.wrapped(), d.context()).close();
          }
          decrypts = kms.decrypts.get();
          fileDeks = deks.size();
          total = s.deks().size();
          s = null;
        }
        print("open " + args[2], String.format(Locale.ROOT, "%d DEKs: open %.0f ms, peak heap %.0f MB, list one file's"
            + " %d DEKs %.2f ms, KMS Decrypt calls to open that file: %d (medians of 3; max heap %d MB)",
            total, Stats.median(open), Stats.median(heap), fileDeks, Stats.median(list), decrypts,
            Runtime.getRuntime().maxMemory() >> 20));
        break;
      }
      default:
        throw new IllegalArgumentException("unknown step " + args[0]);
    }
  }

  private static ManifestStore store(Path dir, boolean checkpoints) {
    Configuration conf = new Configuration();
    conf.setBoolean(ManifestStore.CHECKPOINT_READ, checkpoints);
    conf.setInt(ManifestStore.CHECKPOINT_INTERVAL, checkpoints ? 10 : 0);
    return ManifestStore.at(new org.apache.hadoop.fs.Path(dir.resolve("_columnseal").toUri()), conf);
  }

  private static void print(String step, String what) {
    System.out.println("manifest-bench " + step + ": " + what);
  }

  private static String secs(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }

  /** Unwraps to a random key and counts the calls; stands in for KMS Decrypt. */
  private static final class CountingKeys implements KeyService {
    final AtomicLong decrypts = new AtomicLong();

    @Override
    public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
      decrypts.incrementAndGet();
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      return OpeningKey.of(dekId, b);
    }

    @Override
    public String identity() {
      return "bench";
    }

    @Override
    public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public KeyDescription describeKey(String keyId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
