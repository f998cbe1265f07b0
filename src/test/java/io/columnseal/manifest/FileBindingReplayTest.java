package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay rule 8 (docs/FORMAT.md 5.5): what a format-3 commit may bind, and what the state keeps. */
class FileBindingReplayTest {
  @TempDir
  Path tempDir;

  private static CommitDraft.Builder create(String runId) {
    CommitDraft d = Fixtures.create(runId);
    return CommitDraft.builder(CommitKind.ENCRYPT, Fixtures.DATASET, runId).schema(d.schema()).addDeks(d.addedDeks())
        .addFiles(d.files()).stats(d.stats());
  }

  private static FileRecord file(String path, long size, long... deks) {
    List<DekId> ids = new java.util.ArrayList<>();
    for (long d : deks) {
      ids.add(DekId.fromLong(d));
    }
    return FileRecord.of(path, size, ids);
  }

  @Test
  void eachBoundFileKeepsItsDeksAndSizeWhileLiveAndAnOlderFileIsUnbound() {
    ManifestStore store = Fixtures.store(tempDir);
    store.commit(Fixtures.create("run-1"), 0);
    CommitDraft append = CommitDraft.builder(CommitKind.ENCRYPT, Fixtures.DATASET, "run-2").schema(Fixtures.SCHEMA)
        .addDek(Fixtures.dek(0x33, Fixtures.KEY_A, "run-2")).addFile("part-00000-b.parquet")
        .bindFile(file("part-00000-b.parquet", 4096, 0x33)).build();
    ManifestState s = store.commitAndRead(append, 1);
    assertEquals(3, s.lastCommit().formatVersion());
    assertEquals(1, s.history().get(0).formatVersion(), "commit 1 binds nothing: still version 1");
    assertEquals(Optional.of(file("part-00000-b.parquet", 4096, 0x33)), s.boundFile("part-00000-b.parquet"));
    assertEquals(Optional.empty(), s.boundFile("part-00000-a.parquet"));

    CommitDraft overwrite = CommitDraft.builder(CommitKind.OVERWRITE, Fixtures.DATASET, "run-3").schema(Fixtures.SCHEMA)
        .removeFiles(s.liveFiles()).build();
    ManifestState after = store.commitAndRead(overwrite, 2);
    assertEquals(Optional.empty(), after.boundFile("part-00000-b.parquet"), "a removed file is no longer bound");
  }

  @Test
  void aFileBoundToADekItsCommitDoesNotAddIsRefused() {
    ManifestStore store = Fixtures.store(tempDir);
    CommitDraft draft = create("run-1").bindFile(file("part-00000-a.parquet", 10, 0x11))
        .bindFile(file("part-00001-a.parquet", 10, 0x99)).build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, 0));
    assertTrue(e.getMessage().endsWith("file part-00001-a.parquet is bound to DEK 0000000000000099, which this commit "
        + "does not add"), e.getMessage());
  }

  @Test
  void boundFilesMustNameExactlyTheAddedFiles() {
    ManifestStore store = Fixtures.store(tempDir);
    CommitDraft draft = create("run-1").bindFile(file("part-00000-a.parquet", 10, 0x11)).build();
    InvalidCommitException e = assertThrows(InvalidCommitException.class, () -> store.commit(draft, 0));
    assertTrue(e.getMessage().endsWith("boundFiles must name exactly the files the commit adds"), e.getMessage());
    assertTrue(store.read().isEmpty(), "nothing was written");
  }
}
