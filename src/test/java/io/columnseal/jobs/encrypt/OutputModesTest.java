package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** output.mode error, append and overwrite. */
public class OutputModesTest {
  @TempDir
  Path tmp;

  @Test
  void errorModeRefusesAnExistingDataset() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    ConfigException e = assertThrows(ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.ERROR).build()));
    assertTrue(e.getMessage().contains("output.mode=error"), e.getMessage());
    assertEquals(1, state(enc).version());
  }

  @Test
  void encryptWritesACheckpointAfterEveryIntervalCommits() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    org.apache.hadoop.conf.Configuration conf = JobTestKit.spark().sparkContext().hadoopConfiguration();
    conf.setInt(io.columnseal.manifest.ManifestStore.CHECKPOINT_INTERVAL, 2);
    java.nio.file.Path checkpoints = java.nio.file.Path.of(enc, "_columnseal", "checkpoints");
    try {
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
      assertFalse(java.nio.file.Files.exists(checkpoints), "no checkpoint after commit 1");
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).build());
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).build());
    } finally {
      conf.unset(io.columnseal.manifest.ManifestStore.CHECKPOINT_INTERVAL);
    }
    try (var files = java.nio.file.Files.list(checkpoints)) {
      assertEquals(List.of("00000000000000000002.json"),
          files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
    }
    assertEquals("{\"version\":2,\"file\":\"checkpoints/00000000000000000002.json\"}\n",
        java.nio.file.Files.readString(java.nio.file.Path.of(enc, "_columnseal", "_last_checkpoint")));
    assertEquals(3, state(enc).version());
  }

  @Test
  void appendAddsFilesAndACommitAndLeavesOldFilesUntouched() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    ManifestState first = state(enc);
    Map<String, byte[]> before = contents(enc, first.liveFiles());

    RunSummary second = EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).build());
    ManifestState after = state(enc);
    assertEquals(2, after.version());
    assertEquals(CommitKind.ENCRYPT, after.lastCommit().kind());
    assertTrue(after.liveFiles().containsAll(first.liveFiles()));
    assertEquals(first.liveFiles().size() + second.files, after.liveFiles().size());
    assertEquals(first.deks().size() + second.deks, after.deks().size());
    Map<String, byte[]> still = contents(enc, first.liveFiles());
    for (String f : before.keySet()) {
      assertArrayEquals(before.get(f), still.get(f), f + " changed");
    }
    Dataset<Row> decrypted = EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet");
    Dataset<Row> twice = JobTestKit.sampleInput().union(JobTestKit.sampleInput());
    assertEquals(JobTestKit.sorted(twice), JobTestKit.sorted(decrypted));
  }

  @Test
  void overwriteReplacesTheDataAndKeepsTheHistory() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).build());
    Set<String> old = new TreeSet<>(state(enc).liveFiles());

    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.OVERWRITE).build());
    ManifestState after = state(enc);
    assertEquals(3, after.version());
    assertEquals(3, after.history().size());
    for (String f : old) {
      assertFalse(after.liveFiles().contains(f), f + " still live");
      assertFalse(Files.exists(Path.of(enc, f)), f + " not deleted");
    }
    Dataset<Row> decrypted = EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet");
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(decrypted));
  }

  @Test
  void appendWithOtherColumnsOrAnotherDatasetIdIsRefused() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    ConfigException shape = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(enc).mode(OutputMode.APPEND).columns(List.of("card_number")).build()));
    assertTrue(shape.getMessage().contains("Cannot append"), shape.getMessage());
    ConfigException id = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(enc).mode(OutputMode.APPEND).datasetId("other").build()));
    assertTrue(id.getMessage().contains("already holds columnseal dataset cards-test"), id.getMessage());
    assertEquals(1, state(enc).version());
  }

  public static ManifestState state(String dataset) {
    return ManifestStore.at(new org.apache.hadoop.fs.Path(dataset, "_columnseal"), new Configuration()).read().orElseThrow();
  }

  private static Map<String, byte[]> contents(String root, Iterable<String> files) throws Exception {
    Map<String, byte[]> m = new HashMap<>();
    for (String f : files) {
      m.put(f, Files.readAllBytes(Path.of(root, f)));
    }
    return m;
  }
}
