package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommitCodecTest {

  /** A small commit 1, fixed in every byte: the known answer below pins the format. */
  static Commit exampleCommit() {
    DekId id = DekId.parse("9f86d081884c7d65");
    DekRecord dek = DekRecord.builder()
        .id(id)
        .keyArn("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .wrappedKey("fake-ciphertext-blob".getBytes(StandardCharsets.US_ASCII))
        .encryptionContext(EncryptionContext.forDek("cards_enc", id.hex(), Map.of()))
        .cells(2)
        .runId("run-20261122-0200")
        .created(Instant.parse("2026-11-22T02:00:05Z"))
        .build();
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-20261122-0200")
        .operation("mode", "error")
        .operation("input", "s3://landing/cards/2026-11-22/*.csv")
        .schema(List.of(ColumnRecord.of("txn_id", "bigint", false, false),
            ColumnRecord.of("card_number", "string", true, true)))
        .addDek(dek)
        .addFile("part-00000-3f1c.c000.snappy.parquet")
        .stat("rows", 2)
        .stat("cells.card_number", 2)
        .build();
    return Commit.fromDraft(draft, 1, Instant.parse("2026-11-22T02:00:07.125Z"), null).seal();
  }

  /** Checked by hand and against sha256sum and Python's json.dumps(sort_keys=True, separators=(",", ":")). */
  static final String EXAMPLE_JSON = "{\"addedDeks\":[{\"cells\":2,\"created\":\"2026-11-22T02:00:05Z\","
      + "\"encryptionContext\":{\"columnseal:dataset\":\"cards_enc\",\"columnseal:dek\":\"9f86d081884c7d65\"},"
      + "\"id\":\"9f86d081884c7d65\","
      + "\"keyArn\":\"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
      + "\"runId\":\"run-20261122-0200\",\"wrappedKey\":\"ZmFrZS1jaXBoZXJ0ZXh0LWJsb2I=\"}],"
      + "\"datasetId\":\"cards_enc\","
      + "\"digest\":\"2d74b894ae8239b72014296a3e12ae8feba9dc298cbf6881489d27826ddaac8d\","
      + "\"files\":[\"part-00000-3f1c.c000.snappy.parquet\"],\"formatVersion\":1,\"kind\":\"ENCRYPT\",\"number\":1,"
      + "\"operation\":{\"input\":\"s3://landing/cards/2026-11-22/*.csv\",\"mode\":\"error\"},"
      + "\"parentDigest\":null,\"removedFiles\":[],\"rewrappedDeks\":[],\"runId\":\"run-20261122-0200\","
      + "\"schema\":[{\"encrypted\":false,\"name\":\"txn_id\",\"nullable\":false,\"type\":\"bigint\"},"
      + "{\"encrypted\":true,\"name\":\"card_number\",\"nullable\":true,\"type\":\"string\"}],"
      + "\"stats\":{\"cells.card_number\":2,\"rows\":2},\"time\":\"2026-11-22T02:00:07.125Z\"}\n";

  /** Commit 2 after {@link #exampleCommit()}: its DEK moved to another master key. */
  static Commit rewrapExample() {
    CommitDraft draft = CommitDraft.builder(CommitKind.REWRAP, "cards_enc", "rewrap-20270220-0900")
        .operation("toKey", "alias/cards-2027")
        .rewrap(RewrappedDek.of(DekId.parse("9f86d081884c7d65"),
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-1:111122223333:key/5678abcd-56ef-78ab-90cd-5678901234cd",
            "fake-reencrypted-blob".getBytes(StandardCharsets.US_ASCII)))
        .stat("deks", 1)
        .build();
    return Commit.fromDraft(draft, 2, Instant.parse("2027-02-20T09:00:12.500Z"), exampleCommit().digest()).seal();
  }

  /** Checked against Python's sorted compact JSON and hashlib. */
  static final String EXAMPLE_REWRAP_JSON = "{\"addedDeks\":[],\"datasetId\":\"cards_enc\","
      + "\"digest\":\"1793392e1e0ca811022ed18b32311dc12f1fdd69e402b30ebed92ac64d99b2b7\",\"files\":[],"
      + "\"formatVersion\":1,\"kind\":\"REWRAP\",\"number\":2,\"operation\":{\"toKey\":\"alias/cards-2027\"},"
      + "\"parentDigest\":\"2d74b894ae8239b72014296a3e12ae8feba9dc298cbf6881489d27826ddaac8d\",\"removedFiles\":[],"
      + "\"rewrappedDeks\":[{\"fromKeyArn\":\"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
      + "\"id\":\"9f86d081884c7d65\","
      + "\"toKeyArn\":\"arn:aws:kms:eu-west-1:111122223333:key/5678abcd-56ef-78ab-90cd-5678901234cd\","
      + "\"wrappedKey\":\"ZmFrZS1yZWVuY3J5cHRlZC1ibG9i\"}],\"runId\":\"rewrap-20270220-0900\",\"schema\":null,"
      + "\"stats\":{\"deks\":1},\"time\":\"2027-02-20T09:00:12.500Z\"}\n";

  @Test
  void theRewrapExampleMatchesItsKnownAnswerAndChainsToCommitOne() {
    assertEquals(EXAMPLE_REWRAP_JSON, new String(CommitCodec.encode(rewrapExample()), StandardCharsets.UTF_8));
    assertEquals(exampleCommit().digest(), rewrapExample().parentDigest());
  }

  @Test
  void encodingMatchesTheKnownAnswer() {
    assertEquals(EXAMPLE_JSON, new String(CommitCodec.encode(exampleCommit()), StandardCharsets.UTF_8));
  }

  @Test
  void digestIsSha256OfTheCanonicalJsonWithoutTheDigestMember() throws Exception {
    String digest = "2d74b894ae8239b72014296a3e12ae8feba9dc298cbf6881489d27826ddaac8d";
    String body = EXAMPLE_JSON.replace("\"digest\":\"" + digest + "\",", "");
    assertNotEquals(EXAMPLE_JSON, body);
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
    assertEquals(digest, HexFormat.of().formatHex(sha));
    assertEquals(digest, exampleCommit().digest());
  }

  @Test
  void decodeOfEncodeGivesTheSameCommitInEveryField() throws Exception {
    DekRecord dek = Fixtures.dek(0x0102030405060708L, Fixtures.KEY_A, "run-1");
    Commit c = Commit.builder()
        .datasetId("cards_é_enc").number(7).kind(CommitKind.OVERWRITE).runId("run-ü-7")
        .time(Instant.parse("2026-11-22T02:00:07.123456789Z"))
        .operation(Map.of("mode", "overwrite", "note", "line\nbreak \"quoted\" \\ tab\t"))
        .schema(Fixtures.SCHEMA)
        .addedDeks(List.of(dek, Fixtures.dek(0xFFFFFFFFFFFFFFFFL, Fixtures.KEY_B, "run-1")))
        .rewrappedDeks(List.of(RewrappedDek.of(DekId.fromLong(5), Fixtures.KEY_A, Fixtures.KEY_B, new byte[] {0, -1, 2})))
        .files(List.of("date=2026-11-22/part-1.parquet", "date=2026-11-22/part-0.parquet"))
        .removedFiles(List.of("old/part-9.parquet"))
        .stats(Map.of("rows", Long.MAX_VALUE, "cells.card_number", 0L))
        .parentDigest("ab".repeat(32))
        .seal();
    byte[] bytes = CommitCodec.encode(c);
    Commit back = CommitCodec.decode(CanonicalJson.parse(bytes));
    assertEquals(c, back);
    assertEquals(c.datasetId(), back.datasetId());
    assertEquals(c.time(), back.time());
    assertEquals(c.operation(), back.operation());
    assertEquals(c.schema(), back.schema());
    assertEquals(c.addedDeks(), back.addedDeks());
    assertArrayEquals(dek.wrappedKey(), back.addedDeks().get(0).wrappedKey());
    assertEquals(dek.encryptionContext(), back.addedDeks().get(0).encryptionContext());
    assertEquals(c.rewrappedDeks(), back.rewrappedDeks());
    assertEquals(List.of("date=2026-11-22/part-0.parquet", "date=2026-11-22/part-1.parquet"), back.files());
    assertEquals(c.removedFiles(), back.removedFiles());
    assertEquals(c.stats(), back.stats());
    assertEquals(c.parentDigest(), back.parentDigest());
    assertEquals(c.digest(), back.digest());
    assertArrayEquals(bytes, CommitCodec.encode(back));
    // Non-ASCII text is written as raw UTF-8, not as \\u escapes.
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\"cards_é_enc\""));
  }

  @Test
  void sameContentInAnotherOrderHasTheSameBytes() {
    DekRecord a = Fixtures.dek(1, Fixtures.KEY_A, "r");
    DekRecord b = Fixtures.dek(2, Fixtures.KEY_A, "r");
    Commit.Builder base = Commit.builder().datasetId("d").number(1).kind(CommitKind.ENCRYPT).runId("r")
        .time(Fixtures.T0).schema(Fixtures.SCHEMA);
    Commit one = base.addedDeks(List.of(a, b)).files(List.of("x", "y")).seal();
    Commit two = base.addedDeks(List.of(b, a)).files(List.of("y", "x")).seal();
    assertArrayEquals(CommitCodec.encode(one), CommitCodec.encode(two));
  }

  @Test
  void canonicalWriterSortsNestedMembersAndRefusesFloats() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.putObject("b").put("z", 1).put("a", true);
    o.putArray("a").add("y").add("x");
    assertEquals("{\"a\":[\"y\",\"x\"],\"b\":{\"a\":true,\"z\":1}}\n",
        new String(CanonicalJson.write(o), StandardCharsets.UTF_8));
    o.put("f", 1.5);
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(o));
  }

  @Test
  void decodeNamesTheUnknownOrMissingMember() throws Exception {
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommit()));
    ObjectNode extra = tree.deepCopy().put("plaintextKey", "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(extra));
    assertTrue(e.getMessage().contains("unknown member \"plaintextKey\""), e.getMessage());
    ObjectNode missing = tree.deepCopy();
    missing.remove("stats");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(missing));
    assertTrue(e.getMessage().contains("lacks the member \"stats\""), e.getMessage());
  }

  /** {@link #exampleCommit()} as this build writes it: format version 2 with a cell encoding and one input. */
  static Commit exampleCommitV2() {
    Commit v1 = exampleCommit();
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-20261122-0200")
        .operation(v1.operation()).schema(v1.schema()).addDeks(v1.addedDeks()).addFiles(v1.files()).stats(v1.stats())
        .cellEncoding("binary").inputs(List.of("fe8435737e38a1afd62068d32349b0a0"))
        .build();
    return Commit.fromDraft(draft, 1, v1.time(), null).seal();
  }

  /** Checked against Python's json.dumps(sort_keys=True, separators=(",", ":")) and hashlib. */
  static final String EXAMPLE_V2_JSON = EXAMPLE_JSON
      .replace("\"datasetId\"", "\"cellEncoding\":\"binary\",\"datasetId\"")
      .replace("2d74b894ae8239b72014296a3e12ae8feba9dc298cbf6881489d27826ddaac8d",
          "b6473b3b0ce0c16d4bff234fee56f1a1a5c3c3c370ae1c6127778fe6ea84e6db")
      .replace("\"formatVersion\":1,", "\"formatVersion\":2,\"inputs\":[\"fe8435737e38a1afd62068d32349b0a0\"],");

  @Test
  void aCommitWithCellEncodingAndInputsIsVersionTwoAndMatchesItsKnownAnswer() throws Exception {
    Commit c = exampleCommitV2();
    assertEquals(2, c.formatVersion());
    byte[] bytes = CommitCodec.encode(c);
    assertEquals(EXAMPLE_V2_JSON, new String(bytes, StandardCharsets.UTF_8));
    Commit back = CommitCodec.decode(CanonicalJson.parse(bytes));
    assertEquals(c, back);
    assertEquals("binary", back.cellEncoding());
    assertEquals(List.of("fe8435737e38a1afd62068d32349b0a0"), back.inputs());
    // Without them a commit stays version 1, byte for byte as before.
    assertEquals(1, exampleCommit().formatVersion());
    assertEquals(null, CommitCodec.decode(CanonicalJson.parse(EXAMPLE_JSON.getBytes(StandardCharsets.UTF_8)))
        .cellEncoding());
  }

  @Test
  void versionOneCannotCarryTheNewMembersAndVersionTwoMustHaveThem() throws Exception {
    ObjectNode v1 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommit()));
    ObjectNode withEncoding = v1.deepCopy().put("cellEncoding", "binary");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(withEncoding));
    assertTrue(e.getMessage().contains("unknown member \"cellEncoding\""), e.getMessage());
    ObjectNode v2 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommitV2()));
    v2.remove("inputs");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(v2));
    assertTrue(e.getMessage().contains("lacks the member \"inputs\""), e.getMessage());
    ObjectNode badEncoding = ((ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommitV2())))
        .put("cellEncoding", "hex");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(badEncoding));
    assertTrue(e.getMessage().contains("cell encoding must be one of [binary, base64, page], got hex"), e.getMessage());
  }

  /** {@link #exampleCommitV2()} with its file bound to its DEK and a size: version 3. */
  static Commit exampleCommitV3() {
    Commit v2 = exampleCommitV2();
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-20261122-0200")
        .operation(v2.operation()).schema(v2.schema()).addDeks(v2.addedDeks()).addFiles(v2.files()).stats(v2.stats())
        .cellEncoding("binary").inputs(v2.inputs())
        .bindFile(FileRecord.of("part-00000-3f1c.c000.snappy.parquet", 1234, List.of(DekId.parse("9f86d081884c7d65"))))
        .build();
    return Commit.fromDraft(draft, 1, v2.time(), null).seal();
  }

  /** Checked against Python's json.dumps(sort_keys=True, separators=(",", ":")) plus "\n", and hashlib. */
  static final String EXAMPLE_V3_JSON = EXAMPLE_V2_JSON
      .replace("\"cellEncoding\"", "\"boundFiles\":[{\"deks\":[\"9f86d081884c7d65\"],"
          + "\"path\":\"part-00000-3f1c.c000.snappy.parquet\",\"size\":1234}],\"cellEncoding\"")
      .replace("b6473b3b0ce0c16d4bff234fee56f1a1a5c3c3c370ae1c6127778fe6ea84e6db",
          "f5b8839c30ea95db40c0136446e18060687f9803f2893d159fd74ddee02b43b4")
      .replace("\"formatVersion\":2,", "\"formatVersion\":3,");

  @Test
  void aCommitThatBindsFilesIsVersionThreeAndMatchesItsKnownAnswer() throws Exception {
    Commit c = exampleCommitV3();
    assertEquals(3, c.formatVersion());
    byte[] bytes = CommitCodec.encode(c);
    assertEquals(EXAMPLE_V3_JSON, new String(bytes, StandardCharsets.UTF_8));
    Commit back = CommitCodec.decode(CanonicalJson.parse(bytes));
    assertEquals(c, back);
    assertEquals(List.of(FileRecord.of("part-00000-3f1c.c000.snappy.parquet", 1234,
        List.of(DekId.parse("9f86d081884c7d65")))), back.boundFiles());
    // Without bound files, versions 1 and 2 are written byte for byte as before.
    assertEquals(EXAMPLE_JSON, new String(CommitCodec.encode(exampleCommit()), StandardCharsets.UTF_8));
    assertEquals(EXAMPLE_V2_JSON, new String(CommitCodec.encode(exampleCommitV2()), StandardCharsets.UTF_8));
    assertEquals(List.of(), CommitCodec.decode(CanonicalJson.parse(EXAMPLE_V2_JSON.getBytes(StandardCharsets.UTF_8)))
        .boundFiles());
  }

  @Test
  void versionTwoCannotCarryBoundFilesAndVersionThreeMustHaveThem() throws Exception {
    ObjectNode v2 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommitV2()));
    v2.putArray("boundFiles");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(v2));
    assertTrue(e.getMessage().contains("unknown member \"boundFiles\""), e.getMessage());
    ObjectNode v3 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommitV3()));
    v3.remove("boundFiles");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(v3));
    assertTrue(e.getMessage().contains("lacks the member \"boundFiles\""), e.getMessage());
    ObjectNode badId = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(exampleCommitV3()));
    ((ObjectNode) badId.withArray("boundFiles").get(0)).putArray("deks").add("not-an-id");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(badId));
    assertEquals("a bound file's DEK id must be 16 hex digits", e.getMessage());
  }
}
