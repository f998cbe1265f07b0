package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AtomicCreateTest {
  @TempDir java.nio.file.Path tempDir;

  static Stream<AtomicCreate> mechanisms() {
    return Stream.of(new HardLinkCreate(), new RenameCreate(), new CreateNoOverwrite());
  }

  @Test
  void theMechanismFollowsTheScheme() {
    assertInstanceOf(HardLinkCreate.class, AtomicCreate.forScheme("file"));
    assertInstanceOf(RenameCreate.class, AtomicCreate.forScheme("hdfs"));
    assertInstanceOf(RenameCreate.class, AtomicCreate.forScheme("HDFS"));
    assertInstanceOf(S3ConditionalCreate.class, AtomicCreate.forScheme("s3a"));
    assertInstanceOf(S3ConditionalCreate.class, AtomicCreate.forScheme("S3A"));
    assertInstanceOf(S3ConditionalCreate.class, AtomicCreate.forScheme("s3"));
    assertInstanceOf(CreateNoOverwrite.class, AtomicCreate.forScheme("gs"));
    assertInstanceOf(CreateNoOverwrite.class, AtomicCreate.forScheme(null));
  }

  /** Sequential semantics of every mechanism (RenameCreate is atomic on HDFS only; see its doc). */
  @ParameterizedTest
  @MethodSource("mechanisms")
  void createsOnceAndNeverReplaces(AtomicCreate create) throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path target = new Path(new Path(tempDir.toUri()), "log/00000000000000000001.json");
    byte[] first = "first\n".getBytes(StandardCharsets.UTF_8);
    assertTrue(create.createIfAbsent(fs, target, first));
    assertFalse(create.createIfAbsent(fs, target, "second\n".getBytes(StandardCharsets.UTF_8)));
    java.nio.file.Path local = tempDir.resolve("log/00000000000000000001.json");
    assertArrayEquals(first, Files.readAllBytes(local));
    try (Stream<java.nio.file.Path> files = Files.list(local.getParent())) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList();
      assertEquals(List.of("00000000000000000001.json"), names, "no temp file left behind");
    }
  }

  /** The local mechanism under real contention: 4 threads, 50 targets, one winner each. */
  @Test
  void hardLinkCreateHasExactlyOneWinnerPerTarget() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    AtomicCreate create = new HardLinkCreate();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 50; round++) {
        Path target = new Path(new Path(tempDir.toUri()), "race/" + CommitLog.fileName(round + 1));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          byte[] content = ("writer " + w + "\n").getBytes(StandardCharsets.UTF_8);
          results.add(pool.submit(() -> {
            start.await();
            return create.createIfAbsent(fs, target, content);
          }));
        }
        start.countDown();
        int winners = 0;
        int winner = -1;
        for (int w = 0; w < 4; w++) {
          if (results.get(w).get(10, TimeUnit.SECONDS)) {
            winners++;
            winner = w;
          }
        }
        assertEquals(1, winners, "round " + round);
        assertEquals("writer " + winner + "\n",
            Files.readString(tempDir.resolve("race/" + CommitLog.fileName(round + 1))));
      }
      try (Stream<java.nio.file.Path> files = Files.list(tempDir.resolve("race"))) {
        assertEquals(50, files.count(), "only the targets, no temp files");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
