package io.columnseal.manifest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * The canonical JSON form of the manifest (docs/FORMAT.md section 5): members sorted by name
 * (Java String order, i.e. UTF-16 code units, as in RFC 8785), no whitespace between tokens,
 * UTF-8, and one trailing newline. Only objects, arrays, strings, integers, booleans and null
 * occur; a floating-point number cannot be written canonically and is refused.
 */
final class CanonicalJson {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private CanonicalJson() {}

  /** Parses strictly: a duplicate member or trailing content is an error. Never returns null. */
  static JsonNode parse(byte[] bytes) throws IOException {
    JsonNode node = MAPPER.readTree(bytes);
    if (node == null || node.isMissingNode()) {
      throw new IOException("no JSON value");
    }
    return node;
  }

  static byte[] write(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      writeNode(g, node);
    } catch (IOException e) {
      // Only a string Jackson cannot encode (a lone surrogate) gets here: the bytes are in memory.
      throw new IllegalArgumentException("value cannot be written as UTF-8 JSON: " + e.getMessage(), e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT:
        g.writeStartObject();
        for (String name : fieldNames(node)) {
          g.writeFieldName(name);
          writeNode(g, node.get(name));
        }
        g.writeEndObject();
        break;
      case ARRAY:
        g.writeStartArray();
        for (JsonNode element : node) {
          writeNode(g, element);
        }
        g.writeEndArray();
        break;
      case STRING:
        g.writeString(node.textValue());
        break;
      case NUMBER:
        if (!node.isIntegralNumber()) {
          throw new IllegalArgumentException("floating-point numbers have no canonical form here: " + node);
        }
        g.writeNumber(node.bigIntegerValue());
        break;
      case BOOLEAN:
        g.writeBoolean(node.booleanValue());
        break;
      case NULL:
        g.writeNull();
        break;
      default:
        throw new IllegalArgumentException("unexpected JSON node type " + node.getNodeType());
    }
  }

  private static TreeSet<String> fieldNames(JsonNode node) {
    TreeSet<String> names = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
