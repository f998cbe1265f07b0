package io.columnseal.manifest;

import static io.columnseal.manifest.Fixtures.DATASET;
import static io.columnseal.manifest.Fixtures.KEY_A;
import static io.columnseal.manifest.Fixtures.KEY_B;
import static io.columnseal.manifest.Fixtures.SCHEMA;
import static io.columnseal.manifest.Fixtures.dek;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestStoreTest {
  @TempDir java.nio.file.Path tempDir;

  @Test
  void aDatasetWithoutManifestReadsAsEmpty() {
    ManifestStore store = Fixtures.store(tempDir);
    assertTrue(store.read().isEmpty());
    assertThrows(NoSuchManifestVersionException.class, () -> store.readAt(1));
  }

  @Test
  void commitThenReadGivesBackEveryField() throws Exception {
    ManifestStore store = Fixtures.store(tempDir);
    CommitDraft draft = Fixtures.create("run-1");
    Commit written = store.commit(draft, 0);

    assertEquals(store.dir().toString() + "/log/00000000000000000001.json", store.commitPath(1).toString());
    assertTrue(store.dir().toString().endsWith("/_columnseal"));
    assertArrayEquals(CommitCodec.encode(written), Fixtures.readBytes(store, 1));

    assertEquals(1, written.formatVersion());
    assertEquals(1, written.number());
    assertEquals(CommitKind.ENCRYPT, written.kind());
    assertEquals(DATASET, written.datasetId());
    assertEquals("run-1", written.runId());
    assertEquals(Instant.parse("2026-11-22T02:15:30.250Z"), written.time());
    assertEquals(Map.of("mode", "error", "input", "s3://landing/cards/2026-11-22/*.csv"), written.operation());
    assertEquals(SCHEMA, written.schema());
    assertEquals(List.of(dek(0x11, KEY_A, "run-1"), dek(0x22, KEY_A, "run-1")), written.addedDeks());
    assertEquals(List.of("part-00000-a.parquet", "part-00001-a.parquet"), written.files());
    assertEquals(List.of(), written.removedFiles());
    assertEquals(List.of(), written.rewrappedDeks());
    assertEquals(Map.of("rows", 2000L), written.stats());
    assertNull(written.parentDigest());
    assertEquals(CommitCodec.digestOf(written), written.digest());

    ManifestState state = store.read().orElseThrow();
    assertEquals(DATASET, state.datasetId());
    assertEquals(1, state.version());
    assertEquals(SCHEMA, state.schema());
    assertEquals(List.of("card_number", "booked_at"), state.encryptedColumns());
    assertEquals(Set.of(DekId.fromLong(0x11), DekId.fromLong(0x22)), state.deks().keySet());
    DekRecord d = state.dek(DekId.fromLong(0x11)).orElseThrow();
    assertEquals(dek(0x11, KEY_A, "run-1"), d);
    assertArrayEquals(Fixtures.blob(0x11, KEY_A), d.wrappedKey());
    assertEquals(EncryptionContext.forDek(DATASET, "0000000000000011", Map.of("team", "cards")), d.context());
    assertEquals(1017, d.cells());
    assertEquals(new TreeSet<>(List.of("part-00000-a.parquet", "part-00001-a.parquet")), state.liveFiles());
    assertEquals(List.of(written), state.history());
    assertEquals(written, state.lastCommit());
    assertEquals(Set.of(KEY_A), state.keyArns());
  }

  /** The two example files of docs/FORMAT.md section 5, written by hand, read back as a log. */
  @Test
  void theDocumentedExampleLogReadsBack() throws Exception {
    ManifestStore store = Fixtures.store(tempDir);
    java.nio.file.Path log = Files.createDirectories(Fixtures.localFile(store, 1).getParent());
    Files.writeString(log.resolve("00000000000000000001.json"), CommitCodecTest.EXAMPLE_JSON);
    Files.writeString(log.resolve("00000000000000000002.json"), CommitCodecTest.EXAMPLE_REWRAP_JSON);
    ManifestState state = store.read().orElseThrow();
    assertEquals(2, state.version());
    assertEquals(List.of("card_number"), state.encryptedColumns());
    DekRecord d = state.dek(DekId.parse("9f86d081884c7d65")).orElseThrow();
    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/5678abcd-56ef-78ab-90cd-5678901234cd", d.keyArn());
    assertArrayEquals("fake-reencrypted-blob".getBytes(java.nio.charset.StandardCharsets.US_ASCII), d.wrappedKey());
    assertEquals("run-20261122-0200", d.runId());
    assertEquals(Set.of("part-00000-3f1c.c000.snappy.parquet"), state.liveFiles());
    assertEquals(List.of(CommitCodecTest.exampleCommit(), CommitCodecTest.rewrapExample()), state.history());
  }

  @Test
  void replayOfAddThenRewrapGivesTheCurrentWrapping() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    DekRecord old = store.read().orElseThrow().dek(DekId.fromLong(0x11)).orElseThrow();
    byte[] newBlob = Fixtures.blob(0x11, KEY_B);
    Commit rewrap = store.commit(CommitDraft.builder(CommitKind.REWRAP, DATASET, "rewrap-1")
        .operation("toKey", "alias/cards-2027")
        .rewrap(RewrappedDek.of(old, new WrappedKey(KEY_B, newBlob)))
        .stat("deks", 1)
        .build(), 1);

    ManifestState state = store.read().orElseThrow();
    assertEquals(2, state.version());
    DekRecord moved = state.dek(DekId.fromLong(0x11)).orElseThrow();
    assertEquals(KEY_B, moved.keyArn());
    assertArrayEquals(newBlob, moved.wrappedKey());
    assertEquals(new WrappedKey(KEY_B, newBlob), moved.wrapped());
    // Everything but the wrapping stays as the creating run left it.
    assertEquals(old.encryptionContext(), moved.encryptionContext());
    assertEquals(old.cells(), moved.cells());
    assertEquals("run-1", moved.runId());
    assertEquals(old.created(), moved.created());
    assertEquals(dek(0x22, KEY_A, "run-1"), state.dek(DekId.fromLong(0x22)).orElseThrow());
    assertEquals(Set.of(KEY_A, KEY_B), state.keyArns());
    assertEquals(SCHEMA, state.schema());
    assertEquals(state.history().get(0).digest(), rewrap.parentDigest());

    // Version 1 still shows the old wrapping: the history is the audit trail.
    assertEquals(old, store.readAt(1).dek(DekId.fromLong(0x11)).orElseThrow());
    assertEquals(2, store.readAt(2).version());
    assertThrows(NoSuchManifestVersionException.class, () -> store.readAt(3));
    assertThrows(NoSuchManifestVersionException.class, () -> store.readAt(0));
  }

  @Test
  void appendsAccumulateDeksAndFilesAndChainDigests() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    store.commit(Fixtures.append("run-2", 0x33, "part-00000-b.parquet"), 1);
    store.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-3")
        .addDek(dek(0x44, KEY_A, "run-3")).addDek(dek(0x55, KEY_A, "run-3"))
        .addFile("part-00000-c.parquet").addFile("part-00001-c.parquet").build(), 2);

    ManifestState state = store.read().orElseThrow();
    assertEquals(3, state.version());
    assertEquals(5, state.deks().size());
    assertEquals(Set.of("part-00000-a.parquet", "part-00001-a.parquet", "part-00000-b.parquet",
        "part-00000-c.parquet", "part-00001-c.parquet"), state.liveFiles());
    assertEquals(SCHEMA, state.schema(), "an append without a schema keeps it");
    List<Commit> h = state.history();
    assertNull(h.get(0).parentDigest());
    assertEquals(h.get(0).digest(), h.get(1).parentDigest());
    assertEquals(h.get(1).digest(), h.get(2).parentDigest());
    assertEquals(List.of("run-1", "run-2", "run-3"), h.stream().map(Commit::runId).toList());
  }

  @Test
  void overwriteRemovesLiveFilesAddsNewOnesAndMaySetANewSchema() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    List<ColumnRecord> wider = List.of(SCHEMA.get(0), SCHEMA.get(1), SCHEMA.get(2), SCHEMA.get(3),
        ColumnRecord.of("merchant", "string", true, false));
    store.commit(CommitDraft.builder(CommitKind.OVERWRITE, DATASET, "run-2")
        .operation("mode", "overwrite")
        .schema(wider)
        .removeFile("part-00000-a.parquet").removeFile("part-00001-a.parquet")
        .addDek(dek(0x66, KEY_A, "run-2"))
        .addFile("part-00000-z.parquet")
        .build(), 1);
    ManifestState state = store.read().orElseThrow();
    assertEquals(Set.of("part-00000-z.parquet"), state.liveFiles());
    assertEquals(wider, state.schema());
    assertEquals(3, state.deks().size(), "DEKs of removed files stay, so old versions stay readable");
    assertEquals(Set.of("part-00000-a.parquet", "part-00001-a.parquet"), store.readAt(1).liveFiles());
  }

  @Test
  void anAppendWithAnotherSchemaIsRejectedAndNothingIsWritten() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    List<ColumnRecord> changed = List.of(SCHEMA.get(0), ColumnRecord.of("card_number", "string", true, false),
        SCHEMA.get(2), SCHEMA.get(3));
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-2").schema(changed)
        .addDek(dek(0x33, KEY_A, "run-2")).addFile("part-b.parquet").build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, 1));
    assertTrue(e.getMessage().contains("an append must keep the schema; column 2"), e.getMessage());
    assertFalse(Files.exists(Fixtures.localFile(store, 2)));
    assertEquals(1, store.read().orElseThrow().version());
  }

  @Test
  void aDekIdAlreadyInTheManifestIsRejected() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    InvalidCommitException e = assertThrows(InvalidCommitException.class,
        () -> store.commit(Fixtures.append("run-2", 0x22, "part-b.parquet"), 1));
    assertEquals("commit 2 of dataset cards_enc: DEK 0000000000000022 is already in the manifest (added by commit 1)",
        e.getMessage());
    assertFalse(Files.exists(Fixtures.localFile(store, 2)));
  }

  @Test
  void aDuplicateDekIdWithinOneDraftIsRejected() {
    ManifestStore store = Fixtures.store(tempDir);
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-1").schema(SCHEMA)
        .addDek(dek(0x11, KEY_A, "run-1")).addDek(dek(0x11, KEY_B, "run-1")).build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, 0));
    assertTrue(e.getMessage().contains("DEK 0000000000000011 is added twice"), e.getMessage());
    assertTrue(store.read().isEmpty());
  }

  @Test
  void aRewrapOfAnUnknownDekIsRejected() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    CommitDraft draft = CommitDraft.builder(CommitKind.REWRAP, DATASET, "rw")
        .rewrap(RewrappedDek.of(DekId.fromLong(0x99), KEY_A, KEY_B, new byte[] {1})).build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, 1));
    assertTrue(e.getMessage().contains("cannot rewrap DEK 0000000000000099: it is not in the manifest"), e.getMessage());
  }

  @Test
  void aRewrapPlannedAgainstAnOlderWrappingIsRejected() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    CommitDraft stale = CommitDraft.builder(CommitKind.REWRAP, DATASET, "rw")
        .rewrap(RewrappedDek.of(DekId.fromLong(0x11), KEY_B, KEY_A, new byte[] {1})).build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(stale, 1));
    assertTrue(e.getMessage().contains("is wrapped by " + KEY_A + ", not by " + KEY_B), e.getMessage());
  }

  @Test
  void kindRulesAreEnforced() {
    ManifestStore store = Fixtures.store(tempDir);
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r").addDek(dek(1, KEY_A, "r")).build(), 0,
        "the first commit must state the schema");
    assertRejected(store, CommitDraft.builder(CommitKind.REWRAP, DATASET, "r").schema(SCHEMA).build(), 0,
        "not REWRAP");
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r").schema(List.of()).build(), 0,
        "the schema has no column");
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r")
        .schema(List.of(ColumnRecord.of("Card", "string", true, true), ColumnRecord.of("card", "string", true, false)))
        .build(), 0, "column card appears twice");
    store.commit(Fixtures.create("run-1"), 0);
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r").removeFile("part-00000-a.parquet").build(),
        1, "use OVERWRITE to remove files");
    assertRejected(store, CommitDraft.builder(CommitKind.OVERWRITE, DATASET, "r").removeFile("nope.parquet").build(),
        1, "cannot remove file nope.parquet: it is not live");
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r").addFile("part-00000-a.parquet").build(),
        1, "file part-00000-a.parquet is already live");
    assertRejected(store, CommitDraft.builder(CommitKind.REWRAP, DATASET, "r").build(), 1,
        "must rewrap at least one DEK");
    assertRejected(store, CommitDraft.builder(CommitKind.REWRAP, DATASET, "r").addFile("x.parquet")
        .rewrap(RewrappedDek.of(DekId.fromLong(0x11), KEY_A, KEY_B, new byte[] {1})).build(), 1, "only rewraps DEKs");
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, "other_ds", "r").build(), 1,
        "this manifest belongs to dataset cards_enc");
    DekId id = DekId.fromLong(0x77);
    DekRecord foreign = dek(0x77, KEY_A, "r").toBuilder()
        .encryptionContext(EncryptionContext.forDek("other_ds", id.hex(), Map.of())).build();
    assertRejected(store, CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "r").addDek(foreign).build(), 1,
        "has columnseal:dataset=other_ds in its encryption context");
    assertEquals(1, store.read().orElseThrow().version());
  }

  @Test
  void aStaleExpectedVersionIsAConflictNamingTheWinner() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    store.commit(Fixtures.append("run-2", 0x33, "part-b.parquet"), 1);
    CommitConflictException e = assertThrows(CommitConflictException.class,
        () -> store.commit(Fixtures.append("run-3", 0x44, "part-c.parquet"), 1));
    assertEquals(2, e.number());
    assertEquals("run-2", e.winnerRunId());
    assertEquals(DATASET, e.datasetId());
    assertEquals("commit 2 of dataset cards_enc at " + store.commitPath(2) + " was taken by another writer (run run-2);"
        + " read the manifest again and retry", e.getMessage());
    NoSuchManifestVersionException ahead = assertThrows(NoSuchManifestVersionException.class,
        () -> store.commit(Fixtures.append("run-3", 0x44, "part-c.parquet"), 5));
    assertTrue(ahead.getMessage().contains("versions 1..2"), ahead.getMessage());
    assertThrows(IllegalArgumentException.class, () -> store.commit(Fixtures.create("r"), -1));
  }

  @Test
  void leftoverTempFilesAreIgnored() throws Exception {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    java.nio.file.Path logDir = Fixtures.localFile(store, 1).getParent();
    byte[] garbage = "{half a commit".getBytes();
    Files.write(logDir.resolve(".00000000000000000002.json.6f1e.tmp"), garbage);
    Files.write(logDir.resolve("_tmp_00000000000000000002.json"), garbage);
    Files.write(logDir.resolve("00000000000000000002.json.tmp"), garbage);
    Files.write(logDir.resolve("2.json"), garbage);
    assertEquals(1, store.read().orElseThrow().version());
    store.commit(Fixtures.append("run-2", 0x33, "part-b.parquet"), 1);
    assertEquals(2, store.read().orElseThrow().version());
  }

  @Test
  void theWriterLeavesOnlyTheCommitFile() throws Exception {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    store.commit(Fixtures.append("run-2", 0x33, "part-b.parquet"), 1);
    try (var files = Files.list(Fixtures.localFile(store, 1).getParent())) {
      assertEquals(List.of("00000000000000000001.json", "00000000000000000002.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  private static void assertRejected(ManifestStore store, CommitDraft draft, long expectedVersion, String reason) {
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, expectedVersion));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  private static CommitDraft withEncoding(CommitKind kind, String runId, long dekId, String file, String encoding,
      String input) {
    return CommitDraft.builder(kind, DATASET, runId).schema(SCHEMA).addDek(dek(dekId, KEY_A, runId)).addFile(file)
        .cellEncoding(encoding).inputs(List.of(input)).build();
  }

  @Test
  void anAppendInAnotherCellEncodingIsRefusedAndAnOverwriteMayChangeIt() {
    ManifestStore store = Fixtures.store(tempDir);
    String in1 = "00000000000000000000000000000001";
    String in2 = "00000000000000000000000000000002";
    store.commit(withEncoding(CommitKind.ENCRYPT, "run-1", 0x11, "a.parquet", "binary", in1), 0);
    assertEquals(2, store.read().orElseThrow().lastCommit().formatVersion());
    assertEquals(java.util.Optional.of("binary"), store.read().orElseThrow().cellEncoding());

    InvalidCommitException e = assertThrows(InvalidCommitException.class,
        () -> store.commit(withEncoding(CommitKind.ENCRYPT, "run-2", 0x22, "b.parquet", "base64", in2), 1));
    assertTrue(e.getMessage().contains("an append must keep the cell encoding binary, not base64"), e.getMessage());
    assertEquals(1, store.read().orElseThrow().version());

    // A version-1 append (no encoding recorded) leaves the recorded one; its inputs are none.
    store.commit(Fixtures.append("run-old", 0x33, "c.parquet"), 1);
    ManifestState s = store.read().orElseThrow();
    assertEquals(java.util.Optional.of("binary"), s.cellEncoding());
    assertEquals(Map.of(in1, "run-1"), s.liveInputs());

    CommitDraft overwrite = CommitDraft.builder(CommitKind.OVERWRITE, DATASET, "run-3").schema(SCHEMA)
        .addDek(dek(0x44, KEY_A, "run-3")).addFile("d.parquet").removeFiles(s.liveFiles())
        .cellEncoding("base64").inputs(List.of(in2)).build();
    store.commit(overwrite, 2);
    s = store.read().orElseThrow();
    assertEquals(java.util.Optional.of("base64"), s.cellEncoding());
    // The overwrite retired run-1's files, so run-1's input is no longer in the dataset.
    assertEquals(Map.of(in2, "run-3"), s.liveInputs());
  }

  @Test
  void aRewrapCannotRecordACellEncoding() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    CommitDraft rewrap = CommitDraft.builder(CommitKind.REWRAP, DATASET, "rw")
        .rewrap(RewrappedDek.of(DekId.fromLong(0x11), KEY_A, KEY_B, new byte[] {1})).cellEncoding("binary").build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(rewrap, 1));
    assertTrue(e.getMessage().contains("no schema, added DEK, file, cell encoding or input"), e.getMessage());
  }
}
