package io.columnseal.manifest;

import static io.columnseal.manifest.Fixtures.CLOCK;
import static io.columnseal.manifest.Fixtures.DATASET;
import static io.columnseal.manifest.Fixtures.KEY_A;
import static io.columnseal.manifest.Fixtures.SCHEMA;
import static io.columnseal.manifest.Fixtures.dek;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of a page-mode state is checkpointFormat 2, so a release that reads format 1 only
 * skips it and replays into the format-6 commit it refuses; cell mode's stay format 1, unchanged
 * (FORMAT.md 5.10).
 */
class PageCheckpointFormatTest {
  @TempDir Path tempDir;

  private ManifestStore store(boolean readCheckpoints) {
    Configuration conf = new Configuration();
    conf.setInt(ManifestStore.CHECKPOINT_INTERVAL, 1);
    conf.setBoolean(ManifestStore.CHECKPOINT_READ, readCheckpoints);
    return ManifestStore.at(Fixtures.manifestDir(tempDir), conf, CLOCK);
  }

  private static final List<ColumnRecord> POLICIES = List.of(
      ColumnRecord.withPolicy("txn_id", "bigint", false, false, ColumnRecord.NONE, null, java.util.Map.of()),
      ColumnRecord.withPolicy("card_number", "string", true, true, "randomized", null, java.util.Map.of()));

  private void commit(ManifestStore s, String encoding) {
    s.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-1").schema("page".equals(encoding) ? POLICIES : SCHEMA)
        .addDek(dek(0x11, KEY_A, "run-1")).addFile("a-0.parquet").cellEncoding(encoding)
        .bindFile(FileRecord.of("a-0.parquet", 100, List.of(DekId.fromLong(0x11)))).build(), 0);
  }

  private byte[] checkpointOne() throws Exception {
    return Files.readAllBytes(tempDir.resolve("_columnseal/checkpoints/00000000000000000001.json"));
  }

  private static String body(byte[] checkpoint) {
    return new String(checkpoint, 65, checkpoint.length - 65, StandardCharsets.UTF_8);
  }

  @Test
  void aPageStatesCheckpointIsFormatTwoAndReadsBackAsTheReplay() throws Exception {
    ManifestStore s = store(true);
    commit(s, "page");
    String json = body(checkpointOne());
    assertTrue(json.startsWith("{\"checkpointFormat\":2,\"datasetId\":"), json);
    assertTrue(json.contains("\"cellEncoding\":\"page\","), json);
    ManifestState fromCheckpoint = s.read().orElseThrow();
    ManifestState replayed = store(false).read().orElseThrow();
    assertEquals(replayed.cellEncoding(), fromCheckpoint.cellEncoding());
    assertEquals(replayed.deks(), fromCheckpoint.deks());
    assertEquals(replayed.boundFile("a-0.parquet"), fromCheckpoint.boundFile("a-0.parquet"));
    assertEquals(List.of(), s.auditCheckpoints());
  }

  @Test
  void aCellStatesCheckpointIsFormatOneByteForByteAsBefore() throws Exception {
    commit(store(true), "binary");
    byte[] cp = checkpointOne();
    assertTrue(body(cp).startsWith("{\"checkpointFormat\":1,\"datasetId\":"), body(cp));
    // SHA-256 of the same checkpoint written by the release before page-mode checkpoints.
    assertEquals(BEFORE, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cp)));
  }

  @Test
  void aFormatTwoCheckpointOfACellStateIsSkipped() throws Exception {
    ManifestStore s = store(true);
    commit(s, "binary");
    Path file = tempDir.resolve("_columnseal/checkpoints/00000000000000000001.json");
    String json = body(checkpointOne()).replace("{\"checkpointFormat\":1,", "{\"checkpointFormat\":2,");
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    Files.write(file, (sha + "\n" + json).getBytes(StandardCharsets.UTF_8));
    ManifestCorruptException e = org.junit.jupiter.api.Assertions.assertThrows(ManifestCorruptException.class,
        () -> CheckpointCodec.decode(Files.newInputStream(file), "cp1"));
    assertTrue(e.getMessage().contains("checkpointFormat 2 with cellEncoding binary"), e.getMessage());
    assertEquals("binary", s.read().orElseThrow().cellEncoding().orElseThrow(), "the log is replayed instead");
  }

  private static final String BEFORE = "19065d422b4c41bd682af444cabae39901978c9f5d62861d47df6f6f902151cc";
}
