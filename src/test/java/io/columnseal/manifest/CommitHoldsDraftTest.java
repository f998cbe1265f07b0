package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 11: a Commit is its CommitDraft plus number, time and digests, and holds exactly what it read. */
class CommitHoldsDraftTest {
  private static final String IN_A = "0".repeat(31) + "a";
  private static final String IN_B = "0".repeat(31) + "b";

  @Test
  void aCommitMadeFromADraftHoldsThatDraftsContentSorted() {
    DekRecord a = Fixtures.dek(1, Fixtures.KEY_A, "run-1");
    DekRecord b = Fixtures.dek(2, Fixtures.KEY_A, "run-1");
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-1")
        .schema(Fixtures.SCHEMA).addDek(b).addDek(a).addFile("part-1.parquet").addFile("part-0.parquet")
        .cellEncoding("base64").inputs(List.of(IN_B, IN_A, IN_B)).stat("rows", 3).build();

    Commit c = Commit.fromDraft(draft, 1, Fixtures.T0, null).seal();

    CommitDraft held = c.draft();
    assertEquals("cards_enc", held.datasetId());
    assertEquals(CommitKind.ENCRYPT, held.kind());
    assertEquals("run-1", held.runId());
    assertEquals(List.of(a, b), held.addedDeks());
    assertEquals(List.of("part-0.parquet", "part-1.parquet"), held.files());
    assertEquals(List.of(IN_A, IN_B), held.inputs()); // the draft deduplicated them
    assertEquals("base64", held.cellEncoding());
    assertEquals(2, c.formatVersion());
    assertEquals(held.files(), c.files());
  }

  @Test
  void aCommitReadBackKeepsRepeatedInputsAndItsBytes() throws Exception {
    // Written by hand (or by another implementation): the draft would drop the repeat, the file has it.
    Commit written = Commit.builder().formatVersion(2).datasetId("d").number(1).kind(CommitKind.ENCRYPT)
        .runId("r").time(Fixtures.T0).schema(Fixtures.SCHEMA).inputs(List.of(IN_B, IN_A, IN_B)).seal();
    byte[] bytes = CommitCodec.encode(written);

    Commit back = CommitCodec.decode(CanonicalJson.parse(bytes));

    assertEquals(List.of(IN_A, IN_B, IN_B), back.inputs());
    assertEquals(List.of(IN_A, IN_B, IN_B), back.draft().inputs());
    assertArrayEquals(bytes, CommitCodec.encode(back));
    assertEquals(written, back);
  }

  @Test
  void commitsThatDifferOnlyInTheDraftPartAreNotEqual() {
    Commit.Builder base = Commit.builder().datasetId("d").number(1).kind(CommitKind.ENCRYPT).runId("r")
        .time(Fixtures.T0).schema(Fixtures.SCHEMA);
    Commit one = base.files(List.of("x")).seal();
    Commit two = base.files(List.of("y")).seal();
    assertNotEquals(one, two);
    assertEquals(one, base.files(List.of("x")).seal());
  }
}
