package io.columnseal.manifest;

import static io.columnseal.manifest.Fixtures.CLOCK;
import static io.columnseal.manifest.Fixtures.DATASET;
import static io.columnseal.manifest.Fixtures.KEY_A;
import static io.columnseal.manifest.Fixtures.KEY_B;
import static io.columnseal.manifest.Fixtures.SCHEMA;
import static io.columnseal.manifest.Fixtures.dek;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.WrappedKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path tempDir;

  private ManifestStore store(int interval, boolean readCheckpoints) {
    Configuration conf = new Configuration();
    conf.setInt(ManifestStore.CHECKPOINT_INTERVAL, interval);
    conf.setBoolean(ManifestStore.CHECKPOINT_READ, readCheckpoints);
    return ManifestStore.at(Fixtures.manifestDir(tempDir), conf, CLOCK);
  }

  private static String fp(int i) {
    return String.format("%032x", i);
  }

  /**
   * Seven commits: v2/v3 appends with inputs, bound files and an encoding, an overwrite, an
   * append, then a rewrap of every DEK (commit 7). With interval 2: checkpoints 2, 4, 6 and 7.
   */
  private ManifestStore sevenCommits() {
    ManifestStore s = store(2, true);
    s.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-1").schema(SCHEMA)
        .addDek(dek(0x11, KEY_A, "run-1")).addDek(dek(0x22, KEY_A, "run-1"))
        .addFile("a-0.parquet").addFile("a-1.parquet").cellEncoding("binary").inputs(List.of(fp(1)))
        .bindFile(FileRecord.of("a-0.parquet", 100, List.of(DekId.fromLong(0x11))))
        .bindFile(FileRecord.of("a-1.parquet", 101, List.of(DekId.fromLong(0x22)))).build(), 0);
    s.commit(Fixtures.append("run-2", 0x33, "b-0.parquet"), 1);
    s.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-3").addDek(dek(0x44, KEY_A, "run-3"))
        .addFile("c-0.parquet").cellEncoding("binary").inputs(List.of(fp(3), fp(2))).build(), 2);
    s.commit(CommitDraft.builder(CommitKind.OVERWRITE, DATASET, "run-4").schema(SCHEMA)
        .removeFile("a-0.parquet").removeFile("b-0.parquet").addDek(dek(0x55, KEY_A, "run-4"))
        .addFile("d-0.parquet").inputs(List.of(fp(4))).build(), 3);
    s.commit(Fixtures.append("run-5", 0x66, "e-0.parquet"), 4);
    s.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-6").addDek(dek(0x77, KEY_A, "run-6"))
        .addFile("f-0.parquet").cellEncoding("base64").inputs(List.of(fp(6)))
        .bindFile(FileRecord.of("f-0.parquet", 7, List.of(DekId.fromLong(0x77)))).build(), 5);
    ManifestState six = s.read().orElseThrow();
    CommitDraft.Builder rewrap = CommitDraft.builder(CommitKind.REWRAP, DATASET, "rewrap-7");
    six.deks().values().forEach(d -> rewrap.rewrap(RewrappedDek.of(d, new WrappedKey(KEY_B, Fixtures.blob(
        d.id().asLong(), KEY_B)))));
    s.commit(rewrap.build(), 6);
    return s;
  }

  private static void assertSameState(ManifestState full, ManifestState fromCheckpoint) {
    assertEquals(full.datasetId(), fromCheckpoint.datasetId());
    assertEquals(full.version(), fromCheckpoint.version());
    assertEquals(full.lastDigest(), fromCheckpoint.lastDigest());
    assertEquals(full.schema(), fromCheckpoint.schema());
    assertEquals(full.deks(), fromCheckpoint.deks());
    assertEquals(full.liveFiles(), fromCheckpoint.liveFiles());
    for (String f : full.liveFiles()) {
      assertEquals(full.boundFile(f), fromCheckpoint.boundFile(f), f);
    }
    assertEquals(full.cellEncoding(), fromCheckpoint.cellEncoding());
    assertEquals(full.liveInputs(), fromCheckpoint.liveInputs());
    assertEquals(full.keyArns(), fromCheckpoint.keyArns());
    assertEquals(full.lastCommit(), fromCheckpoint.lastCommit());
  }

  private List<Long> checkpointFiles() throws Exception {
    List<Long> out = new ArrayList<>();
    Path dir = tempDir.resolve("_columnseal/checkpoints");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]{20}\\.json")).sorted()
            .forEach(n -> out.add(Long.parseLong(n.substring(0, 20))));
      }
    }
    return out;
  }

  private Path checkpointFile(long v) {
    return tempDir.resolve(String.format("_columnseal/checkpoints/%020d.json", v));
  }

  private Path pointer() {
    return tempDir.resolve("_columnseal/_last_checkpoint");
  }

  @Test
  void everyVersionOpensFromItsCheckpointAsTheFullReplayDoes() throws Exception {
    ManifestStore s = sevenCommits();
    assertEquals(List.of(2L, 4L, 6L, 7L), checkpointFiles(), "every 2nd commit and after the REWRAP");
    assertEquals("{\"version\":7,\"file\":\"checkpoints/00000000000000000007.json\"}\n",
        Files.readString(pointer()));
    ManifestStore full = store(2, false);
    for (long v = 1; v <= 7; v++) {
      assertSameState(full.readAt(v), s.readAt(v));
      assertEquals(full.readAt(v).history(), s.readAt(v).history(), "the audit trail still lists every commit");
    }
    ManifestState seven = s.read().orElseThrow();
    assertEquals(java.util.Set.of(KEY_B), seven.keyArns());
    assertEquals(Optional.of("base64"), seven.cellEncoding());
    // a-1 of commit 1 is still live: the overwrite retired a-0 and b-0 only.
    assertEquals(java.util.Map.of(fp(1), "run-1", fp(3), "run-3", fp(2), "run-3", fp(4), "run-4", fp(6), "run-6"), seven.liveInputs());
    assertEquals(List.of(), s.auditCheckpoints());
  }

  @Test
  void aCheckpointKeepsEveryColumnPolicy() throws Exception {
    List<ColumnRecord> policies = List.of(
        ColumnRecord.withPolicy("txn_id", "bigint", false, false, ColumnRecord.NONE, null, java.util.Map.of()),
        ColumnRecord.withPolicy("card_number", "string", true, true, "fpe", "alias/pan",
            java.util.Map.of("domain", "pan", "keepFirst", "6", "keepLast", "4")),
        ColumnRecord.withPolicy("cvv", "string", true, false, "drop", null, java.util.Map.of()));
    ManifestStore s = store(1, true);
    s.commit(CommitDraft.builder(CommitKind.ENCRYPT, DATASET, "run-1").schema(policies)
        .addDek(dek(0x11, KEY_A, "run-1")).addFile("a-0.parquet").build(), 0);
    assertEquals(List.of(1L), checkpointFiles());
    ManifestState fromCheckpoint = s.read().orElseThrow();
    assertEquals(policies, fromCheckpoint.schema());
    assertEquals("alias/pan", fromCheckpoint.schema().get(1).key());
    assertSameState(store(1, false).read().orElseThrow(), fromCheckpoint);
    assertEquals(List.of(), s.auditCheckpoints());
  }

  @Test
  void readersUseTheCheckpointAndNotTheCommitsBeforeIt() throws Exception {
    ManifestStore s = sevenCommits();
    ManifestState before = s.read().orElseThrow();
    ManifestState five = store(2, false).readAt(5);
    // Commit 3 is garbled after checkpoints 4, 6 and 7 were written.
    Files.write(Fixtures.localFile(s, 3), "{\"garbled\":true}\n".getBytes(StandardCharsets.UTF_8));

    assertSameState(before, s.read().orElseThrow());
    assertSameState(five, s.readAt(5));
    assertThrows(ManifestException.class, () -> store(2, false).read(), "the full replay sees it");
    assertThrows(ManifestException.class, () -> s.read().orElseThrow().history(), "so does the audit trail");
    assertThrows(ManifestException.class, s::auditCheckpoints, "and the audit");
  }

  @Test
  void aTornCheckpointIsSkippedAndTheAuditReportsIt() throws Exception {
    ManifestStore s = sevenCommits();
    Files.delete(checkpointFile(6));
    byte[] bytes = Files.readAllBytes(checkpointFile(7));
    Files.write(checkpointFile(7), java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertSameState(store(2, false).read().orElseThrow(), s.read().orElseThrow());
    ManifestCorruptException e = assertThrows(ManifestCorruptException.class,
        () -> CheckpointCodec.decode(new ByteArrayInputStream(java.util.Arrays.copyOf(bytes, bytes.length - 1)), "cp"));
    assertTrue(e.getMessage().contains("SHA-256 line does not match"), e.getMessage());
    List<String> findings = s.auditCheckpoints();
    assertEquals(1, findings.size(), findings.toString());
    assertTrue(findings.get(0).startsWith("checkpoint 7 cannot be read: "), findings.get(0));
  }

  @Test
  void aCheckpointWithAChangedDekIsReportedByTheAudit() throws Exception {
    ManifestStore s = sevenCommits();
    Checkpoint cp;
    try (var in = Files.newInputStream(checkpointFile(4))) {
      cp = CheckpointCodec.decode(in, "4");
    }
    DekId victim = DekId.fromLong(0x33);
    TreeMap<DekId, DekRecord> deks = new TreeMap<>(cp.deks);
    deks.put(victim, deks.get(victim).rewrapped(KEY_B, Fixtures.blob(0x99, KEY_B)));
    Checkpoint changed = new Checkpoint(cp.datasetId, cp.version, cp.digest, cp.schema, cp.cellEncoding, deks,
        cp.addedIn, cp.liveFiles, cp.boundFiles, cp.inputCommits);
    Files.write(checkpointFile(4), CheckpointCodec.encode(changed));

    List<String> findings = s.auditCheckpoints();
    assertEquals(List.of("checkpoint 4 (" + s.dir() + "/checkpoints/00000000000000000004.json) differs from the "
        + "replay of commits 1..4"), findings);
    // A self-consistent checkpoint is what readers trust (docs/FORMAT.md 5.10): the audit is the check.
    assertNotEquals(store(2, false).readAt(5).deks(), s.readAt(5).deks());
  }

  @Test
  void aMissingOrStalePointerFallsBackToTheListing() throws Exception {
    ManifestStore s = sevenCommits();
    ManifestState full = store(2, false).read().orElseThrow();
    Files.write(Fixtures.localFile(s, 5), "garbled".getBytes(StandardCharsets.UTF_8));
    Files.delete(pointer());
    assertSameState(full, s.read().orElseThrow());
    Files.writeString(pointer(), "{\"version\":2,\"file\":\"checkpoints/00000000000000000002.json\"}\n");
    assertSameState(full, s.read().orElseThrow());
    Files.writeString(pointer(), "{\"version\":9,\"file\":\"checkpoints/00000000000000000009.json\"}\n");
    assertSameState(full, s.read().orElseThrow());
    Files.writeString(pointer(), "not json");
    assertSameState(full, s.read().orElseThrow());
  }

  @Test
  void aCheckpointThatDoesNotChainOntoTheLogIsSkipped() throws Exception {
    ManifestStore s = sevenCommits();
    Checkpoint cp;
    try (var in = Files.newInputStream(checkpointFile(6))) {
      cp = CheckpointCodec.decode(in, "6");
    }
    // Checkpoint 6 recorded with commit 4's digest: commit 7's parentDigest does not name it.
    String other = store(2, false).readAt(4).lastDigest();
    Files.write(checkpointFile(6), CheckpointCodec.encode(new Checkpoint(cp.datasetId, 6, other, cp.schema,
        cp.cellEncoding, cp.deks, cp.addedIn, cp.liveFiles, cp.boundFiles, cp.inputCommits)));
    Files.delete(checkpointFile(7));
    Files.write(Fixtures.localFile(s, 1), "garbled".getBytes(StandardCharsets.UTF_8));
    // Skipped: checkpoint 4 is used (commit 1 is garbled, so a full replay would fail).
    assertEquals(7, s.read().orElseThrow().version());
    assertEquals(java.util.Set.of(KEY_B), s.read().orElseThrow().keyArns());
  }

  @Test
  void intervalZeroWritesNoCheckpointAndTheDefaultIsTen() throws Exception {
    ManifestStore never = store(0, true);
    never.commit(Fixtures.create("run-1"), 0);
    ManifestState one = never.read().orElseThrow();
    never.commit(CommitDraft.builder(CommitKind.REWRAP, DATASET, "rw").rewrap(RewrappedDek.of(
        one.dek(DekId.fromLong(0x11)).orElseThrow(), new WrappedKey(KEY_B, Fixtures.blob(0x11, KEY_B)))).build(), 1);
    assertEquals(List.of(), checkpointFiles());

    ManifestStore dflt = ManifestStore.at(Fixtures.manifestDir(tempDir), new Configuration(), CLOCK);
    for (long v = 2; v < 9; v++) {
      dflt.commit(Fixtures.append("run-" + v, 0x100 + v, "p-" + v + ".parquet"), v);
    }
    assertEquals(List.of(), checkpointFiles(), "9 commits, no checkpoint");
    dflt.commitAndRead(Fixtures.append("run-10", 0x200, "p-10.parquet"), 9);
    assertEquals(List.of(10L), checkpointFiles());
  }

  @Test
  void aFailedCheckpointWriteLeavesTheCommitDone() throws Exception {
    Configuration conf = new Configuration();
    conf.setInt(ManifestStore.CHECKPOINT_INTERVAL, 1);
    AtomicCreate noCheckpoints = (fs, target, content) -> {
      if (target.getParent().getName().equals("checkpoints")) {
        throw new java.io.IOException("disk full");
      }
      return new HardLinkCreate().createIfAbsent(fs, target, content);
    };
    ManifestStore s = ManifestStore.at(Fixtures.manifestDir(tempDir), conf, CLOCK, noCheckpoints);
    Commit one = s.commit(Fixtures.create("run-1"), 0);
    ManifestState two = s.commitAndRead(Fixtures.append("run-2", 0x33, "b.parquet"), 1);
    assertEquals(1, one.number());
    assertEquals(2, two.version());
    assertEquals(List.of(), checkpointFiles());
    assertEquals(2, s.read().orElseThrow().version());
  }

  @Test
  void anOldLogWithoutCheckpointsOpensAndTheCommandWritesOne() throws Exception {
    ManifestStore never = store(0, true);
    never.commit(Fixtures.create("run-1"), 0);
    never.commit(Fixtures.append("run-2", 0x33, "b.parquet"), 1);
    assertEquals(1, never.readAt(1).history().get(0).formatVersion());
    ManifestState before = never.read().orElseThrow();
    assertEquals(Optional.of(2L), never.checkpoint());
    assertEquals(List.of(2L), checkpointFiles());
    Files.write(Fixtures.localFile(never, 1), "garbled".getBytes(StandardCharsets.UTF_8));
    assertSameState(before, never.read().orElseThrow());
    assertFalse(Files.exists(checkpointFile(1)));
  }
}
