package io.columnseal.jobs.recovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;

/** Edits a commit as someone without the MAC key can: canonical bytes, digest recomputed (mac kept). */
final class ManifestEdits {
  private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private ManifestEdits() {}

  /** Canonical form of these ASCII-only commits (FORMAT.md 5.3): sorted keys, no spaces, trailing newline. */
  static byte[] resealed(ObjectNode tree) throws Exception {
    ObjectNode body = tree.deepCopy();
    body.remove("digest");
    body.remove("mac");
    tree.put("digest", sha256(canonical(body)));
    return canonical(tree);
  }

  private static byte[] canonical(ObjectNode tree) throws Exception {
    return (SORTED.writeValueAsString(SORTED.treeToValue(tree, TreeMap.class)) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] bytes) throws GeneralSecurityException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
