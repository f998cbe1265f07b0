package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Format version 6: version 5's members, with the cell encoding page (FORMAT.md 5.2, section 12). */
class PageCommitFormatTest {
  static Commit pageCommit() {
    Commit v5 = CommitPolicyCodecTest.policyCommit();
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-20261122-0200")
        .operation(v5.operation()).schema(v5.schema()).addDeks(v5.addedDeks()).addFiles(v5.files())
        .stats(v5.stats()).cellEncoding("page").inputs(v5.inputs()).bindFile(v5.boundFiles().get(0)).build();
    return Commit.fromDraft(draft, 1, v5.time(), null).seal();
  }

  @Test
  void aPageModeCommitIsVersionSixWithVersionFivesMembersAndReadsBack() throws Exception {
    Commit c = pageCommit();
    assertEquals(6, c.formatVersion());
    String json = new String(CommitCodec.encode(c), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"cellEncoding\":\"page\","), json);
    assertTrue(json.contains("\"formatVersion\":6,"), json);
    String v5 = new String(CommitCodec.encode(CommitPolicyCodecTest.policyCommit()), StandardCharsets.UTF_8);
    // The same members as version 5: only the version, the encoding and so the digest differ.
    ObjectNode a = (ObjectNode) CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8));
    ObjectNode b = (ObjectNode) CanonicalJson.parse(v5.getBytes(StandardCharsets.UTF_8));
    java.util.List<String> namesA = new java.util.ArrayList<>();
    a.fieldNames().forEachRemaining(namesA::add);
    java.util.List<String> namesB = new java.util.ArrayList<>();
    b.fieldNames().forEachRemaining(namesB::add);
    assertEquals(namesB, namesA);
    Commit back = CommitCodec.decode(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(c, back);
    assertEquals("page", back.cellEncoding());
  }

  @Test
  void pageBelongsToVersionSixAndVersionSixToPage() throws Exception {
    ObjectNode asFive = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(pageCommit()));
    asFive.put("formatVersion", 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(asFive));
    assertTrue(e.getMessage().contains("has no cell encoding page; it needs version 6"), e.getMessage());

    ObjectNode binarySix = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(CommitPolicyCodecTest.policyCommit()));
    binarySix.put("formatVersion", 6);
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(binarySix));
    assertTrue(e.getMessage().contains("records cell encoding page only, got binary"), e.getMessage());

    ObjectNode seven = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(pageCommit()));
    seven.put("formatVersion", 7);
    assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(seven));
  }
}
