package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.columnseal.testing.SharedS3;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Two writers want the same commit number of a manifest on s3a: one gets it, the other gets
 * CommitConflictException and retries on top.
 *
 * <p>What this can and cannot show against S3Mock: both writers pass the store's own "is the
 * number free?" check (a barrier holds them there), then each sends its conditional PUT, and
 * the second is refused with 412. The two PUTs are sent one after the other, not at the same
 * instant: S3Mock 5.2 checks If-None-Match and stores the object in separate steps, so two
 * truly simultaneous PUTs can both succeed against it (S3 itself decides them atomically).
 */
class S3CommitRaceTest {
  private static final int ROUNDS = 3;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void exactlyOneWriterGetsEachNumberAndTheLoserRetries() throws Exception {
    Configuration conf = new Configuration();
    SharedS3.configure(conf);
    String bucket = SharedS3.newBucket("commit-race");
    Path dir = ManifestStore.defaultDir(new Path("s3a://" + bucket + "/cards_enc"));
    AtomicCreate onS3 = AtomicCreate.forScheme("s3a");
    assertInstanceOf(S3ConditionalCreate.class, onS3);

    ManifestStore plain = ManifestStore.at(dir, conf, Fixtures.CLOCK);
    plain.commit(Fixtures.create("run-0"), 0);
    CyclicBarrier bothChecked = new CyclicBarrier(2);
    Object oneAtATime = new Object();
    AtomicCreate racing = (fs, target, content) -> {
      await(bothChecked);
      synchronized (oneAtATime) {
        return onS3.createIfAbsent(fs, target, content);
      }
    };
    ManifestStore[] writers = {
        ManifestStore.at(dir, conf, Fixtures.CLOCK, racing), ManifestStore.at(dir, conf, Fixtures.CLOCK, racing)};

    long version = 1;
    long nextDek = 0x1000;
    for (int round = 0; round < ROUNDS; round++) {
      long base = version;
      CommitDraft[] drafts = {
          Fixtures.append("a-" + round, nextDek++, "a-" + round + ".parquet"),
          Fixtures.append("b-" + round, nextDek++, "b-" + round + ".parquet")};
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Object>> outcomes = List.of(
          pool.submit(() -> attempt(writers[0], drafts[0], base, start)),
          pool.submit(() -> attempt(writers[1], drafts[1], base, start)));
      start.countDown();
      Object first = outcomes.get(0).get(30, TimeUnit.SECONDS);
      Object second = outcomes.get(1).get(30, TimeUnit.SECONDS);

      int winner = first instanceof Commit ? 0 : 1;
      Object lost = winner == 0 ? second : first;
      if (!(lost instanceof CommitConflictException) || !((winner == 0 ? first : second) instanceof Commit)) {
        fail("round " + round + ": expected one commit and one conflict, got " + first + " and " + second);
      }
      Commit won = (Commit) (winner == 0 ? first : second);
      CommitConflictException conflict = (CommitConflictException) lost;
      assertEquals(base + 1, won.number());
      assertEquals(base + 1, conflict.number());
      assertEquals(won.runId(), conflict.winnerRunId());
      // The loser left no trace: the object holds the winner's bytes.
      assertArrayEquals(CommitCodec.encode(won), SharedS3.client()
          .getObjectAsBytes(b -> b.bucket(bucket).key("cards_enc/_columnseal/log/" + CommitLog.fileName(base + 1)))
          .asByteArray());

      Commit retried = plain.commit(drafts[1 - winner], base + 1);
      assertEquals(base + 2, retried.number());
      assertEquals(won.digest(), retried.parentDigest());
      version = base + 2;
    }

    ManifestState state = ManifestStore.at(dir, conf).read().orElseThrow();
    assertEquals(1 + 2 * ROUNDS, state.version());
    assertEquals(2 + 2 * ROUNDS, state.deks().size());
    for (int round = 0; round < ROUNDS; round++) {
      assertTrue(state.liveFiles().contains("a-" + round + ".parquet"));
      assertTrue(state.liveFiles().contains("b-" + round + ".parquet"));
    }
    List<String> keys = SharedS3.client().listObjectsV2(b -> b.bucket(bucket).prefix("cards_enc/")).contents()
        .stream().map(S3Object::key).toList();
    assertEquals(1 + 2 * ROUNDS, keys.size(), "only commit files, no temp objects: " + keys);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the other writer never reached the create", e);
    }
  }

  private static Object attempt(ManifestStore store, CommitDraft draft, long base, CountDownLatch start)
      throws InterruptedException {
    start.await();
    try {
      return store.commit(draft, base);
    } catch (CommitConflictException e) {
      return e;
    }
  }
}
