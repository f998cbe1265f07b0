package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Format version 5: schema columns with their protection, key group and options (FORMAT.md 5.2). */
class CommitPolicyCodecTest {
  static final List<ColumnRecord> POLICY_SCHEMA = List.of(
      ColumnRecord.withPolicy("names", "string", true, true, "randomized", "alias/pii", Map.of()),
      ColumnRecord.withPolicy("card_number", "string", true, true, "randomized", "alias/pan", Map.of()),
      ColumnRecord.withPolicy("pan_masked", "string", true, false, "mask", null, Map.of("show", "last4")),
      ColumnRecord.withPolicy("cvv", "string", true, false, "drop", null, Map.of()),
      ColumnRecord.withPolicy("amount", "decimal(12,2)", true, false, "none", null, Map.of()));

  static Commit policyCommit() {
    Commit v3 = CommitCodecTest.exampleCommitV3();
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-20261122-0200")
        .operation(v3.operation()).schema(POLICY_SCHEMA).addDeks(v3.addedDeks()).addFiles(v3.files())
        .stats(v3.stats()).cellEncoding("binary").inputs(v3.inputs()).bindFile(v3.boundFiles().get(0)).build();
    return Commit.fromDraft(draft, 1, v3.time(), null).seal();
  }

  @Test
  void aSchemaWithPoliciesIsVersionFiveAndReadsBackTheSame() throws Exception {
    Commit c = policyCommit();
    assertEquals(5, c.formatVersion());
    String json = new String(CommitCodec.encode(c), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"schema\":[{\"encrypted\":true,\"key\":\"alias/pii\",\"name\":\"names\","
        + "\"nullable\":true,\"options\":{},\"protection\":\"randomized\",\"type\":\"string\"},"
        + "{\"encrypted\":true,\"key\":\"alias/pan\",\"name\":\"card_number\",\"nullable\":true,\"options\":{},"
        + "\"protection\":\"randomized\",\"type\":\"string\"},"
        + "{\"encrypted\":false,\"key\":null,\"name\":\"pan_masked\",\"nullable\":true,\"options\":{\"show\":\"last4\"},"
        + "\"protection\":\"mask\",\"type\":\"string\"},"
        + "{\"encrypted\":false,\"key\":null,\"name\":\"cvv\",\"nullable\":true,\"options\":{},"
        + "\"protection\":\"drop\",\"type\":\"string\"},"
        + "{\"encrypted\":false,\"key\":null,\"name\":\"amount\",\"nullable\":true,\"options\":{},"
        + "\"protection\":\"none\",\"type\":\"decimal(12,2)\"}]"), json);
    assertTrue(json.startsWith("{\"addedDeks\""), json);
    assertTrue(json.contains("\"formatVersion\":5,"), json);
    assertTrue(json.contains(",\"mac\":null,"), "version 5 has version 4's mac member, null without a MAC key: " + json);
    Commit back = CommitCodec.decode(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(c, back);
    assertEquals(POLICY_SCHEMA, back.schema());
    assertEquals("alias/pan", back.schema().get(1).key());
    // With manifest.macKey the same commit carries its MAC; the digest does not cover it.
    byte[] tag = new byte[CommitMac.LENGTH];
    java.util.Arrays.fill(tag, (byte) 7);
    Commit signed = c.withMac(new CommitMac("arn:aws:kms:eu-west-1:111122223333:key/mac", tag));
    String signedJson = new String(CommitCodec.encode(signed), StandardCharsets.UTF_8);
    assertTrue(signedJson.contains(",\"mac\":{\"algorithm\":\"HMAC_SHA_256\",\"keyArn\":"
        + "\"arn:aws:kms:eu-west-1:111122223333:key/mac\",\"value\":\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\"},"), signedJson);
    Commit signedBack = CommitCodec.decode(CanonicalJson.parse(signedJson.getBytes(StandardCharsets.UTF_8)));
    assertEquals(c.digest(), signedBack.digest());
    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/mac", signedBack.mac().keyArn());
    assertEquals(json, new String(CommitCodec.encode(CommitCodec.decode(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)))),
        StandardCharsets.UTF_8));
    // A schema without policies is still version 3, byte for byte.
    assertEquals(CommitCodecTest.EXAMPLE_V3_JSON,
        new String(CommitCodec.encode(CommitCodecTest.exampleCommitV3()), StandardCharsets.UTF_8));
  }

  @Test
  void theColumnMembersBelongToVersionFiveOnly() throws Exception {
    ObjectNode v5 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(policyCommit()));
    ((ObjectNode) v5.withArray("schema").get(0)).remove("protection");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(v5));
    assertTrue(e.getMessage().contains("lacks the member \"protection\""), e.getMessage());

    ObjectNode v3 = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(CommitCodecTest.exampleCommitV3()));
    ((ObjectNode) v3.withArray("schema").get(0)).put("protection", "randomized");
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(v3));
    assertTrue(e.getMessage().contains("unknown member \"protection\""), e.getMessage());

    ObjectNode mixed = (ObjectNode) CanonicalJson.parse(CommitCodec.encode(policyCommit()));
    ObjectNode col = (ObjectNode) mixed.withArray("schema").get(4);
    mixed.put("formatVersion", 3);
    mixed.remove("mac");
    col.remove(List.of("protection", "key", "options"));
    e = assertThrows(IllegalArgumentException.class, () -> CommitCodec.decode(mixed));
    assertTrue(e.getMessage().contains("unknown member \"key\""), e.getMessage());
  }
}
