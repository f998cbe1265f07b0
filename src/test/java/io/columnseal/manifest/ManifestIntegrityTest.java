package io.columnseal.manifest;

import static io.columnseal.manifest.Fixtures.DATASET;
import static io.columnseal.manifest.Fixtures.KEY_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every changed byte of a committed file, and every broken log shape, fails the full replay (a
 * read without checkpoints, as verify's audit reads; CheckpointTest covers reads from one).
 */
class ManifestIntegrityTest {
  @TempDir java.nio.file.Path tempDir;
  private ManifestStore store;

  @BeforeEach
  void twoCommits() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.setInt(ManifestStore.CHECKPOINT_INTERVAL, 0);
    store = ManifestStore.at(Fixtures.manifestDir(tempDir), conf, Fixtures.CLOCK);
    store.commit(Fixtures.create("run-1"), 0);
    DekRecord d = store.read().orElseThrow().dek(DekId.fromLong(0x11)).orElseThrow();
    store.commit(CommitDraft.builder(CommitKind.REWRAP, DATASET, "rewrap-1")
        .rewrap(RewrappedDek.of(d, new WrappedKey(KEY_B, Fixtures.blob(0x11, KEY_B)))).build(), 1);
  }

  /** Every byte of commit 2, every third byte of commit 1 (each flip costs a full read). */
  @Test
  void aFlippedByteAnywhereInAnyCommitIsDetected() throws Exception {
    for (long n = 1; n <= 2; n++) {
      int stride = n == 1 ? 3 : 1;
      java.nio.file.Path file = Fixtures.localFile(store, n);
      byte[] good = Files.readAllBytes(file);
      List<Integer> inValues = stringValuePositions(good);
      int tampered = 0;
      for (int i = 0; i < good.length; i += stride) {
        byte[] bad = good.clone();
        bad[i] ^= 0x01;
        Files.write(file, bad);
        ManifestException e = assertThrows(ManifestException.class, () -> store.read(), "flip at " + n + ":" + i);
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        if (inValues.contains(i)) {
          // Still valid JSON: only the integrity check can catch it.
          assertEquals(ManifestTamperedException.class, e.getClass(), "flip at " + n + ":" + i + ": " + e.getMessage());
          tampered++;
        }
      }
      Files.write(file, good);
      assertTrue(tampered > 150, "flips inside string values checked: " + tampered);
    }
    assertEquals(2, store.read().orElseThrow().version());
  }

  @Test
  void flipsInTheWrappedBlobAndInTheDigestAreReportedAsTampering() throws Exception {
    java.nio.file.Path file = Fixtures.localFile(store, 2);
    byte[] good = Files.readAllBytes(file);
    String text = new String(good, StandardCharsets.US_ASCII);
    String blob = Base64.getEncoder().encodeToString(Fixtures.blob(0x11, KEY_B));
    String digest = store.read().orElseThrow().lastCommit().digest();
    for (String target : List.of(blob, digest)) {
      int start = text.indexOf("\"" + target + "\"") + 1;
      assertTrue(start > 0);
      for (int i : new int[] {start, start + target.length() / 2, start + target.length() - 1}) {
        byte[] bad = good.clone();
        bad[i] ^= 0x01;
        Files.write(file, bad);
        ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
        assertEquals(file.toUri().toString().replace("file:///", "file:/"), e.file());
        assertTrue(e.getMessage().endsWith("its digest does not match its content"), e.getMessage());
      }
    }
  }

  @Test
  void aTruncatedFileIsCorruptOrTampered() throws Exception {
    java.nio.file.Path file = Fixtures.localFile(store, 2);
    byte[] good = Files.readAllBytes(file);
    for (int len : new int[] {0, 1, good.length / 2, good.length - 2}) {
      Files.write(file, Arrays.copyOf(good, len));
      ManifestCorruptException e = assertThrows(ManifestCorruptException.class, () -> store.read(), "length " + len);
      assertTrue(e.getMessage().contains("00000000000000000002.json is corrupt: not valid JSON"), e.getMessage());
    }
    // Dropping only the trailing newline leaves valid JSON that is not the canonical bytes.
    Files.write(file, Arrays.copyOf(good, good.length - 1));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
    assertTrue(e.getMessage().endsWith("its bytes are not the canonical form of its JSON"), e.getMessage());
  }

  @Test
  void aGapInTheNumberingIsCorrupt() throws Exception {
    store.commit(Fixtures.append("run-3", 0x33, "part-c.parquet"), 2);
    Files.delete(Fixtures.localFile(store, 2));
    ManifestCorruptException e = assertThrows(ManifestCorruptException.class, () -> store.read());
    assertTrue(e.getMessage().contains("commit 2 is missing"), e.getMessage());
    assertTrue(e.location().endsWith("_columnseal/log"), e.location());
    assertThrows(ManifestCorruptException.class, () -> store.readAt(1));
    assertThrows(ManifestCorruptException.class, () -> store.commit(Fixtures.append("run-4", 0x44, "d.parquet"), 3));
    Files.delete(Fixtures.localFile(store, 1));
    e = assertThrows(ManifestCorruptException.class, () -> store.read());
    assertTrue(e.getMessage().contains("commit 1 is missing"), e.getMessage());
  }

  @Test
  void anUnknownFormatVersionIsRejectedByNameAndVersion() throws Exception {
    java.nio.file.Path file = Fixtures.localFile(store, 2);
    ObjectNode tree = tree(2);
    tree.put("formatVersion", 7);
    tree.putObject("newThing").put("x", 1);
    Files.write(file, reseal(tree));
    UnsupportedManifestVersionException e = assertThrows(UnsupportedManifestVersionException.class, () -> store.read());
    assertEquals(7, e.version());
    assertTrue(e.file().endsWith("00000000000000000002.json"), e.file());
    assertTrue(e.getMessage().contains("has format version 7; this columnseal reads format versions 1 to 6 only"),
        e.getMessage());
  }

  @Test
  void prettyPrintedJsonIsNotTheCanonicalForm() throws Exception {
    java.nio.file.Path file = Fixtures.localFile(store, 1);
    Files.write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tree(1)));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
    assertTrue(e.file().endsWith("00000000000000000001.json"));
  }

  /** Someone edits commit 1 and recomputes its digest: commit 2's parent digest gives it away. */
  @Test
  void anEditWithARecomputedDigestBreaksTheChain() throws Exception {
    ObjectNode tree = tree(1);
    ((ObjectNode) tree.get("addedDeks").get(1)).put("keyArn", "arn:aws:kms:eu-west-1:999999999999:key/attacker");
    Files.write(Fixtures.localFile(store, 1), reseal(tree));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
    assertTrue(e.file().endsWith("00000000000000000002.json"), e.file());
    assertTrue(e.getMessage().endsWith("its parentDigest is not the digest of commit 1"), e.getMessage());
  }

  @Test
  void aCommitUnderAnotherNumberIsDetected() throws Exception {
    Files.copy(Fixtures.localFile(store, 1), Fixtures.localFile(store, 2), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
    assertTrue(e.getMessage().endsWith("it holds commit 1 but is named for commit 2"), e.getMessage());
  }

  @Test
  void aDigestedCommitWithAMissingMemberIsCorrupt() throws Exception {
    ObjectNode tree = tree(2);
    tree.remove("stats");
    Files.write(Fixtures.localFile(store, 2), reseal(tree));
    ManifestCorruptException e = assertThrows(ManifestCorruptException.class, () -> store.read());
    assertTrue(e.getMessage().endsWith("commit lacks the member \"stats\""), e.getMessage());
  }

  @Test
  void aDigestedCommitThatBreaksAReplayRuleIsCorrupt() throws Exception {
    ObjectNode tree = tree(2);
    tree.put("kind", "ENCRYPT").putArray("rewrappedDeks");
    tree.set("addedDeks", tree(1).get("addedDeks").deepCopy());
    Files.write(Fixtures.localFile(store, 2), reseal(tree));
    ManifestCorruptException e = assertThrows(ManifestCorruptException.class, () -> store.read());
    assertTrue(e.getMessage().contains("breaks a replay rule: commit 2 of dataset cards_enc: DEK 0000000000000011 is"
        + " already in the manifest (added by commit 1)"), e.getMessage());
  }

  @Test
  void valuesThatParseButAreNotCanonicalAreDetected() throws Exception {
    ObjectNode tree = tree(1);
    ArrayNode files = tree.putArray("files");
    files.add("part-00001-a.parquet").add("part-00000-a.parquet");
    tree.put("time", "2026-11-22T02:15:30.250000Z");
    Files.write(Fixtures.localFile(store, 1), reseal(tree));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> store.read());
    assertTrue(e.getMessage().endsWith("its values are not in canonical form"), e.getMessage());
  }

  @Test
  void aDuplicateMemberIsCorrupt() throws Exception {
    java.nio.file.Path file = Fixtures.localFile(store, 1);
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    Files.write(file, text.replace("\"datasetId\":\"cards_enc\",", "\"datasetId\":\"cards_enc\",\"datasetId\":\"x\",")
        .getBytes(StandardCharsets.UTF_8));
    ManifestCorruptException e = assertThrows(ManifestCorruptException.class, () -> store.read());
    assertTrue(e.getMessage().contains("not valid JSON (at line 1"), e.getMessage());
  }

  private ObjectNode tree(long n) throws Exception {
    return (ObjectNode) CanonicalJson.parse(Fixtures.readBytes(store, n));
  }

  /** What a careful forger does: recompute the digest after an edit. */
  private static byte[] reseal(ObjectNode tree) {
    tree.remove("digest");
    String digest = CanonicalJson.sha256Hex(CanonicalJson.write(tree));
    tree.put("digest", digest);
    return CanonicalJson.write(tree);
  }

  /** Byte offsets inside string values (not member names) of a canonical file without escapes. */
  private static List<Integer> stringValuePositions(byte[] json) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < json.length; i++) {
      if (json[i] == '"') {
        int end = i + 1;
        while (json[end] != '"') {
          end++;
        }
        if (json[end + 1] != ':') {
          for (int k = i + 1; k < end; k++) {
            out.add(k);
          }
        }
        i = end;
      }
    }
    return out;
  }
}
