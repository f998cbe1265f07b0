package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two writers want the same commit number: exactly one gets it, the other retries on top. */
class CommitRaceTest {
  private static final int ROUNDS = 50;

  @TempDir java.nio.file.Path tempDir;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void exactlyOneOfTwoConcurrentWritersWinsEachNumberAndTheLoserRetries() throws Exception {
    ManifestStore plain = Fixtures.store(tempDir);
    plain.commit(Fixtures.create("run-0"), 0);
    // One store per writer, as two separate runs would have. Both meet at a barrier just before
    // the create-if-absent, so every round races in the file system primitive itself, not in
    // the store's early "is the number taken?" check.
    CyclicBarrier bothChecked = new CyclicBarrier(2);
    AtomicCreate racing = (fs, target, content) -> {
      await(bothChecked);
      return new HardLinkCreate().createIfAbsent(fs, target, content);
    };
    // No checkpoints: their writes would also wait at the barrier, for a partner that never comes.
    Configuration noCheckpoints = new Configuration();
    noCheckpoints.setInt(ManifestStore.CHECKPOINT_INTERVAL, 0);
    ManifestStore[] writers = {
        ManifestStore.at(Fixtures.manifestDir(tempDir), noCheckpoints, Fixtures.CLOCK, racing),
        ManifestStore.at(Fixtures.manifestDir(tempDir), noCheckpoints, Fixtures.CLOCK, racing)};
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
      Object first = outcomes.get(0).get(10, TimeUnit.SECONDS);
      Object second = outcomes.get(1).get(10, TimeUnit.SECONDS);

      int winner = first instanceof Commit ? 0 : 1;
      Commit won = (Commit) (winner == 0 ? first : second);
      Object lost = winner == 0 ? second : first;
      if (!(lost instanceof CommitConflictException)) {
        fail("round " + round + ": expected one winner and one conflict, got " + first + " and " + second);
      }
      CommitConflictException conflict = (CommitConflictException) lost;
      assertEquals(base + 1, won.number());
      assertEquals(base + 1, conflict.number());
      assertEquals(won.runId(), conflict.winnerRunId());

      Commit retried = plain.commit(drafts[1 - winner], base + 1);
      assertEquals(base + 2, retried.number());
      assertEquals(won.digest(), retried.parentDigest());
      version = base + 2;
    }
    ManifestState state = ManifestStore.at(Fixtures.manifestDir(tempDir), new Configuration()).read().orElseThrow();
    assertEquals(1 + 2 * ROUNDS, state.version());
    assertEquals(2 + 2 * ROUNDS, state.deks().size());
    assertEquals(2 + 2 * ROUNDS, state.liveFiles().size());
    for (int round = 0; round < ROUNDS; round++) {
      assertTrue(state.liveFiles().contains("a-" + round + ".parquet"));
      assertTrue(state.liveFiles().contains("b-" + round + ".parquet"));
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
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
