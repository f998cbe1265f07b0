package io.columnseal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;

/**
 * Commit <-> JSON, field by field as docs/FORMAT.md section 5 lists them. Writing is here;
 * reading, which refuses a missing or unknown member, is {@link CommitReader}.
 */
public final class CommitCodec {
  static final String FORMAT_VERSION = "formatVersion";
  static final String DATASET_ID = "datasetId";
  static final String NUMBER = "number";
  static final String KIND = "kind";
  static final String RUN_ID = "runId";
  static final String TIME = "time";
  static final String OPERATION = "operation";
  static final String SCHEMA = "schema";
  static final String ADDED_DEKS = "addedDeks";
  static final String REWRAPPED_DEKS = "rewrappedDeks";
  static final String FILES = "files";
  static final String REMOVED_FILES = "removedFiles";
  static final String CELL_ENCODING = "cellEncoding";
  static final String INPUTS = "inputs";
  static final String BOUND_FILES = "boundFiles";
  static final String STATS = "stats";
  static final String PARENT_DIGEST = "parentDigest";
  static final String DIGEST = "digest";
  static final String MAC = "mac";

  /**
   * The first version whose schema columns record their policy (protection, key, options). It is
   * version 4 (the MAC member) plus these, its {@code mac} null when written without manifest.macKey.
   */
  static final int POLICY_VERSION = 5;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CommitCodec() {}

  /** The exact bytes of the commit's file: canonical JSON with a trailing newline. */
  public static byte[] encode(Commit commit) {
    return CanonicalJson.write(toTree(commit, true));
  }

  /** SHA-256 hex of the canonical JSON of {@code commit} without its digest and mac members. */
  static String digestOf(Commit commit) {
    return CanonicalJson.sha256Hex(CanonicalJson.write(toTree(commit, false)));
  }

  /** With {@code withDigest}, the whole file; without, the digest's input (no digest, no mac). */
  static ObjectNode toTree(Commit c, boolean withDigest) {
    ObjectNode o = NODES.objectNode();
    o.put(FORMAT_VERSION, c.formatVersion());
    o.put(DATASET_ID, c.datasetId());
    o.put(NUMBER, c.number());
    o.put(KIND, c.kind().name());
    o.put(RUN_ID, c.runId());
    o.put(TIME, c.time().toString());
    o.set(OPERATION, stringMap(c.operation()));
    if (c.schema() == null) {
      o.putNull(SCHEMA);
    } else {
      ArrayNode schema = o.putArray(SCHEMA);
      for (ColumnRecord col : c.schema()) {
        ObjectNode n = schema.addObject().put("name", col.name()).put("type", col.type())
            .put("nullable", col.nullable()).put("encrypted", col.encrypted());
        if (c.formatVersion() >= POLICY_VERSION) {
          n.put("protection", col.protection());
          if (col.key() == null) {
            n.putNull("key");
          } else {
            n.put("key", col.key());
          }
          n.set("options", stringMap(col.options()));
        }
      }
    }
    ArrayNode added = o.putArray(ADDED_DEKS);
    for (DekRecord d : c.addedDeks()) {
      ObjectNode n = added.addObject();
      n.put("id", d.id().hex());
      n.put("keyArn", d.keyArn());
      n.put("wrappedKey", base64(d.wrappedKey()));
      n.set("encryptionContext", stringMap(d.encryptionContext()));
      n.put("cells", d.cells());
      n.put("runId", d.runId());
      n.put("created", d.created().toString());
    }
    ArrayNode rewrapped = o.putArray(REWRAPPED_DEKS);
    for (RewrappedDek r : c.rewrappedDeks()) {
      rewrapped.addObject().put("id", r.id().hex()).put("fromKeyArn", r.fromKeyArn()).put("toKeyArn", r.toKeyArn())
          .put("wrappedKey", base64(r.wrappedKey()));
    }
    c.files().forEach(o.putArray(FILES)::add);
    c.removedFiles().forEach(o.putArray(REMOVED_FILES)::add);
    if (c.formatVersion() >= 2) {
      if (c.cellEncoding() == null) {
        o.putNull(CELL_ENCODING);
      } else {
        o.put(CELL_ENCODING, c.cellEncoding());
      }
      c.inputs().forEach(o.putArray(INPUTS)::add);
    }
    if (c.formatVersion() >= 3) {
      ArrayNode bound = o.putArray(BOUND_FILES);
      for (FileRecord f : c.boundFiles()) {
        ArrayNode deks = bound.addObject().put("path", f.path()).put("size", f.size()).putArray("deks");
        f.deks().forEach(d -> deks.add(d.hex()));
      }
    }
    ObjectNode stats = o.putObject(STATS);
    c.stats().forEach(stats::put);
    if (c.parentDigest() == null) {
      o.putNull(PARENT_DIGEST);
    } else {
      o.put(PARENT_DIGEST, c.parentDigest());
    }
    if (withDigest) {
      o.put(DIGEST, c.digest());
      if (c.formatVersion() >= 4) {
        if (c.mac() == null && c.formatVersion() == 4) {
          throw new IllegalStateException("commit " + c.number() + " is format version 4 but not signed yet");
        }
        if (c.mac() == null) {
          o.putNull(MAC); // version 5 written without manifest.macKey
          return o;
        }
        o.putObject(MAC).put("keyArn", c.mac().keyArn()).put("algorithm", c.mac().algorithm())
            .put("value", base64(c.mac().value()));
      }
    }
    return o;
  }

  /**
   * Reads a commit from a parsed tree of any version this build reads; shapes and field values
   * only, the digest and the canonical form are the reader's to check.
   *
   * @throws IllegalArgumentException naming the member that is missing, unknown or malformed
   */
  static Commit decode(JsonNode tree) {
    return CommitReader.read(tree);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode o = NODES.objectNode();
    map.forEach(o::put);
    return o;
  }
}
