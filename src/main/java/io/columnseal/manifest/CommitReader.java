package io.columnseal.manifest;

import static io.columnseal.manifest.CommitCodec.*;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * JSON -> Commit: the strict half of {@link CommitCodec}. Every member is always written (null
 * only for {@code schema}, {@code parentDigest} and a version-2 {@code cellEncoding}), so a
 * missing member is an error, and so is an unknown one.
 */
final class CommitReader {
  private static final Set<String> COMMIT_FIELDS = Set.of(FORMAT_VERSION, DATASET_ID, NUMBER, KIND, RUN_ID, TIME,
      OPERATION, SCHEMA, ADDED_DEKS, REWRAPPED_DEKS, FILES, REMOVED_FILES, STATS, PARENT_DIGEST, DIGEST);
  /** Version 2 = version 1 plus these two, always present. */
  private static final Set<String> COMMIT_FIELDS_V2 = union(COMMIT_FIELDS, Set.of(CELL_ENCODING, INPUTS));
  /** Version 3 = version 2 plus this one, always present. */
  private static final Set<String> COMMIT_FIELDS_V3 = union(COMMIT_FIELDS_V2, Set.of(BOUND_FILES));
  /** Version 4 = version 3 plus this one, always present. */
  private static final Set<String> COMMIT_FIELDS_V4 = union(COMMIT_FIELDS_V3, Set.of(MAC));
  private static final Set<String> MAC_FIELDS = Set.of("keyArn", "algorithm", "value");
  private static final Set<String> BOUND_FILE_FIELDS = Set.of("path", "size", "deks");
  private static final Set<String> COLUMN_FIELDS = Set.of("name", "type", "nullable", "encrypted");
  /** Version 5 columns add their policy, always present ({@code key} may be null). */
  private static final Set<String> COLUMN_FIELDS_V5 = union(COLUMN_FIELDS, Set.of("protection", "key", "options"));
  private static final Set<String> DEK_FIELDS =
      Set.of("id", "keyArn", "wrappedKey", "encryptionContext", "cells", "runId", "created");
  private static final Set<String> REWRAP_FIELDS = Set.of("id", "fromKeyArn", "toKeyArn", "wrappedKey");

  private CommitReader() {}

  /**
   * Reads a commit from a parsed tree of format version 1 to 6. Checks shapes and field values only;
   * the digest and the canonical form are the reader's to check.
   *
   * @throws IllegalArgumentException naming the member that is missing, unknown or malformed
   */
  static Commit read(JsonNode tree) {
    JsonNode version = tree.get(FORMAT_VERSION);
    long v = version != null && version.isIntegralNumber() ? version.longValue() : 1;
    // Version 6 has version 5's members exactly (it adds the cell encoding page, FORMAT.md 5.2).
    boolean v5 = v == POLICY_VERSION || v == Commit.PAGE_VERSION;
    boolean v2 = v >= 2 && v <= Commit.FORMAT_VERSION;
    boolean v3 = v >= 3 && v <= Commit.FORMAT_VERSION;
    boolean v4 = v == 4 || v5; // version 5 has version 4's members; its mac may be null
    ObjectNode o = object(tree, "commit",
        v4 ? COMMIT_FIELDS_V4 : v3 ? COMMIT_FIELDS_V3 : v2 ? COMMIT_FIELDS_V2 : COMMIT_FIELDS);
    List<ColumnRecord> schema = null;
    if (!o.get(SCHEMA).isNull()) {
      schema = list(o.get(SCHEMA), SCHEMA, n -> {
        if (v5) {
          ObjectNode c = object(n, "schema column", COLUMN_FIELDS_V5);
          return ColumnRecord.withPolicy(text(c, "name"), text(c, "type"), bool(c, "nullable"), bool(c, "encrypted"),
              text(c, "protection"), c.get("key").isNull() ? null : text(c, "key"),
              stringMap(c.get("options"), "options"));
        }
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
        .addedDeks(list(o.get(ADDED_DEKS), ADDED_DEKS, CommitReader::dek))
        .rewrappedDeks(list(o.get(REWRAPPED_DEKS), REWRAPPED_DEKS, CommitReader::rewrapped))
        .files(list(o.get(FILES), FILES, n -> textNode(n, "file path")))
        .removedFiles(list(o.get(REMOVED_FILES), REMOVED_FILES, n -> textNode(n, "removed file path")))
        .cellEncoding(v2 && !o.get(CELL_ENCODING).isNull() ? text(o, CELL_ENCODING) : null)
        .inputs(v2 ? list(o.get(INPUTS), INPUTS, n -> textNode(n, "input fingerprint")) : List.of())
        .boundFiles(v3 ? list(o.get(BOUND_FILES), BOUND_FILES, CommitReader::boundFile) : List.of())
        .stats(longMap(o.get(STATS), STATS))
        .parentDigest(o.get(PARENT_DIGEST).isNull() ? null : text(o, PARENT_DIGEST))
        .digest(text(o, DIGEST))
        .mac(v4 && !(v5 && o.get(MAC).isNull()) ? mac(o.get(MAC)) : null)
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

  private static CommitMac mac(JsonNode n) {
    ObjectNode m = object(n, "mac", MAC_FIELDS);
    if (!CommitMac.ALGORITHM.equals(text(m, "algorithm"))) {
      throw new IllegalArgumentException("mac algorithm must be " + CommitMac.ALGORITHM);
    }
    byte[] value = base64(m, "value");
    if (value.length != CommitMac.LENGTH) {
      throw new IllegalArgumentException("mac value must be " + CommitMac.LENGTH + " bytes");
    }
    return new CommitMac(text(m, "keyArn"), value);
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

  private static <T> List<T> list(JsonNode node, String what, Function<JsonNode, T> element) {
    if (!node.isArray()) {
      throw new IllegalArgumentException(what + " must be a JSON array");
    }
    List<T> out = new ArrayList<>();
    node.forEach(n -> out.add(element.apply(n)));
    return out;
  }

  private static Map<String, String> stringMap(JsonNode node, String what) {
    return map(node, what, (key, value) -> textNode(value, what + " value of " + key));
  }

  private static Map<String, Long> longMap(JsonNode node, String what) {
    return map(node, what, (key, value) -> integer(node, key));
  }

  /** A JSON object's members in file order, each value read by {@code value} (key, node). */
  private static <V> Map<String, V> map(JsonNode node, String what, BiFunction<String, JsonNode, V> value) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    Map<String, V> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), value.apply(e.getKey(), e.getValue()));
    }
    return out;
  }
}
