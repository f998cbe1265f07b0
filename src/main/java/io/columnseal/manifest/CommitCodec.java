package io.columnseal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Commit <-> JSON, field by field as docs/FORMAT.md section 5 lists them. Every member is always
 * written (null only for {@code schema} and {@code parentDigest}), so a missing member is an
 * error, and so is an unknown one: format version 1 has exactly these.
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

  private static final Set<String> COMMIT_FIELDS = Set.of(FORMAT_VERSION, DATASET_ID, NUMBER, KIND, RUN_ID, TIME,
      OPERATION, SCHEMA, ADDED_DEKS, REWRAPPED_DEKS, FILES, REMOVED_FILES, STATS, PARENT_DIGEST, DIGEST);
  /** Version 2 = version 1 plus these two, always present. */
  private static final Set<String> COMMIT_FIELDS_V2 = union(COMMIT_FIELDS, Set.of(CELL_ENCODING, INPUTS));
  /** Version 3 = version 2 plus this one, always present. */
  private static final Set<String> COMMIT_FIELDS_V3 = union(COMMIT_FIELDS_V2, Set.of(BOUND_FILES));
  private static final Set<String> BOUND_FILE_FIELDS = Set.of("path", "size", "deks");
  private static final Set<String> COLUMN_FIELDS = Set.of("name", "type", "nullable", "encrypted");
  private static final Set<String> DEK_FIELDS =
      Set.of("id", "keyArn", "wrappedKey", "encryptionContext", "cells", "runId", "created");
  private static final Set<String> REWRAP_FIELDS = Set.of("id", "fromKeyArn", "toKeyArn", "wrappedKey");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CommitCodec() {}

  /** The exact bytes of the commit's file: canonical JSON with a trailing newline. */
  public static byte[] encode(Commit commit) {
    return CanonicalJson.write(toTree(commit, true));
  }

  /** SHA-256 hex of the canonical JSON of {@code commit} without its digest member. */
  static String digestOf(Commit commit) {
    return CanonicalJson.sha256Hex(CanonicalJson.write(toTree(commit, false)));
  }

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
      c.schema().forEach(col -> schema.addObject().put("name", col.name()).put("type", col.type())
          .put("nullable", col.nullable()).put("encrypted", col.encrypted()));
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
    }
    return o;
  }

  /**
   * Reads a commit from a parsed format-version-1 tree. Checks shapes and field values only;
   * the digest and the canonical form are the reader's to check.
   *
   * @throws IllegalArgumentException naming the member that is missing, unknown or malformed
   */
  static Commit decode(JsonNode tree) {
    JsonNode version = tree.get(FORMAT_VERSION);
    long v = version != null && version.isIntegralNumber() ? version.longValue() : 1;
    boolean v2 = v == 2 || v == 3;
    boolean v3 = v == 3;
    ObjectNode o = object(tree, "commit", v3 ? COMMIT_FIELDS_V3 : v2 ? COMMIT_FIELDS_V2 : COMMIT_FIELDS);
    List<ColumnRecord> schema = null;
    if (!o.get(SCHEMA).isNull()) {
      schema = list(o.get(SCHEMA), SCHEMA, n -> {
        ObjectNode c = object(n, "schema column", COLUMN_FIELDS);
        return ColumnRecord.of(text(c, "name"), text(c, "type"), bool(c, "nullable"), bool(c, "encrypted"));
      });
    }
    return Commit.builder()
        .formatVersion((int) integer(o, FORMAT_VERSION))
        .datasetId(text(o, DATASET_ID))
        .number(integer(o, NUMBER))
        .kind(kind(text(o, KIND)))
        .runId(text(o, RUN_ID))
        .time(instant(o, TIME))
        .operation(stringMap(o.get(OPERATION), OPERATION))
        .schema(schema)
        .addedDeks(list(o.get(ADDED_DEKS), ADDED_DEKS, CommitCodec::dek))
        .rewrappedDeks(list(o.get(REWRAPPED_DEKS), REWRAPPED_DEKS, CommitCodec::rewrapped))
        .files(list(o.get(FILES), FILES, n -> textNode(n, "file path")))
        .removedFiles(list(o.get(REMOVED_FILES), REMOVED_FILES, n -> textNode(n, "removed file path")))
        .cellEncoding(v2 && !o.get(CELL_ENCODING).isNull() ? text(o, CELL_ENCODING) : null)
        .inputs(v2 ? list(o.get(INPUTS), INPUTS, n -> textNode(n, "input fingerprint")) : List.of())
        .boundFiles(v3 ? list(o.get(BOUND_FILES), BOUND_FILES, CommitCodec::boundFile) : List.of())
        .stats(longMap(o.get(STATS), STATS))
        .parentDigest(o.get(PARENT_DIGEST).isNull() ? null : text(o, PARENT_DIGEST))
        .digest(text(o, DIGEST))
        .build();
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  private static DekRecord dek(JsonNode n) {
    ObjectNode d = object(n, "added DEK", DEK_FIELDS);
    return DekRecord.builder()
        .id(dekId(d))
        .keyArn(text(d, "keyArn"))
        .wrappedKey(base64(d, "wrappedKey"))
        .encryptionContext(stringMap(d.get("encryptionContext"), "encryptionContext"))
        .cells(integer(d, "cells"))
        .runId(text(d, "runId"))
        .created(instant(d, "created"))
        .build();
  }

  private static FileRecord boundFile(JsonNode n) {
    ObjectNode f = object(n, "bound file", BOUND_FILE_FIELDS);
    List<DekId> deks = list(f.get("deks"), "bound file deks", d -> {
      try {
        return DekId.parse(textNode(d, "bound file DEK id"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a bound file's DEK id must be 16 hex digits");
      }
    });
    return FileRecord.of(text(f, "path"), integer(f, "size"), deks);
  }

  private static RewrappedDek rewrapped(JsonNode n) {
    ObjectNode r = object(n, "rewrapped DEK", REWRAP_FIELDS);
    return RewrappedDek.of(dekId(r), text(r, "fromKeyArn"), text(r, "toKeyArn"), base64(r, "wrappedKey"));
  }

  private static ObjectNode object(JsonNode node, String what, Set<String> fields) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    Set<String> present = new TreeSet<>();
    node.fieldNames().forEachRemaining(present::add);
    for (String f : present) {
      if (!fields.contains(f)) {
        throw new IllegalArgumentException(what + " has an unknown member \"" + f + "\"");
      }
    }
    for (String f : new TreeSet<>(fields)) {
      if (!present.contains(f)) {
        throw new IllegalArgumentException(what + " lacks the member \"" + f + "\"");
      }
    }
    return (ObjectNode) node;
  }

  private static String text(JsonNode o, String field) {
    return textNode(o.get(field), field);
  }

  private static String textNode(JsonNode n, String what) {
    if (!n.isTextual()) {
      throw new IllegalArgumentException(what + " must be a string");
    }
    return n.textValue();
  }

  private static long integer(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return n.longValue();
  }

  private static boolean bool(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false");
    }
    return n.booleanValue();
  }

  private static Instant instant(JsonNode o, String field) {
    String s = text(o, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " must be an ISO-8601 UTC instant, got " + s);
    }
  }

  private static CommitKind kind(String s) {
    try {
      return CommitKind.valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind must be one of " + List.of(CommitKind.values()) + ", got " + s);
    }
  }

  private static DekId dekId(JsonNode o) {
    String s = text(o, "id");
    try {
      return DekId.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("DEK id must be 16 hex digits, got " + s);
    }
  }

  // The blob is not secret, but an error message has no use for it: name the field only.
  private static byte[] base64(JsonNode o, String field) {
    try {
      return Base64.getDecoder().decode(text(o, field));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not valid base64");
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static <T> List<T> list(JsonNode node, String what, Function<JsonNode, T> element) {
    if (!node.isArray()) {
      throw new IllegalArgumentException(what + " must be a JSON array");
    }
    List<T> out = new ArrayList<>();
    node.forEach(n -> out.add(element.apply(n)));
    return out;
  }

  private static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode o = NODES.objectNode();
    map.forEach(o::put);
    return o;
  }

  private static Map<String, String> stringMap(JsonNode node, String what) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), textNode(e.getValue(), what + " value of " + e.getKey()));
    }
    return out;
  }

  private static Map<String, Long> longMap(JsonNode node, String what) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), integer(node, e.getKey()));
    }
    return out;
  }
}
