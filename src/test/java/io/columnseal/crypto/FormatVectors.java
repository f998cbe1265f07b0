package io.columnseal.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the test vectors of docs/FORMAT.md section 7: fenced blocks with the info string
 * {@code columnseal-vector}, one {@code field: value} line per field.
 */
final class FormatVectors {
  static final Path FORMAT_MD = Path.of("docs", "FORMAT.md");
  private static final String FENCE_OPEN = "```columnseal-vector";
  private static final String FENCE_CLOSE = "```";
  private static final HexFormat HEX = HexFormat.of();

  /** One vector, fields as written in the document. */
  record Vector(String name, byte[] key, DekId dekId, String dataset, String column, String type, long counter,
      String value, byte[] plaintext, byte[] aad, byte[] cell) {

    ColumnSpec spec() {
      return FormatVectors.spec(dataset, column, type);
    }

    /** The value line as the Java object {@link ValueCodec#encode} takes. */
    Object javaValue() {
      return FormatVectors.parseValue(spec().type(), value);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private FormatVectors() {}

  static List<Vector> load() {
    try {
      return parse(Files.readAllLines(FORMAT_MD, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FORMAT_MD.toAbsolutePath(), e);
    }
  }

  static List<Vector> parse(List<String> lines) {
    List<Vector> vectors = new ArrayList<>();
    Map<String, String> fields = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (fields == null) {
        if (line.strip().equals(FENCE_OPEN)) {
          fields = new LinkedHashMap<>();
        }
      } else if (line.strip().equals(FENCE_CLOSE)) {
        vectors.add(toVector(fields, i + 1));
        fields = null;
      } else if (!line.isBlank()) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("FORMAT.md line " + (i + 1) + ": expected 'field: value'");
        }
        String name = line.substring(0, colon).strip();
        if (fields.put(name, line.substring(colon + 1).strip()) != null) {
          throw new IllegalArgumentException("FORMAT.md line " + (i + 1) + ": field " + name + " twice");
        }
      }
    }
    if (fields != null) {
      throw new IllegalArgumentException("FORMAT.md: a columnseal-vector block is not closed");
    }
    return vectors;
  }

  private static Vector toVector(Map<String, String> f, int endLine) {
    List<String> expected = List.of("vector", "key", "dek_id", "dataset", "column", "type", "counter", "value",
        "plaintext", "aad", "cell");
    if (!f.keySet().equals(new java.util.LinkedHashSet<>(expected))) {
      throw new IllegalArgumentException("FORMAT.md vector ending at line " + endLine + " has fields " + f.keySet()
          + ", expected " + expected);
    }
    return new Vector(f.get("vector"), HEX.parseHex(f.get("key")), DekId.parse(f.get("dek_id")), f.get("dataset"),
        f.get("column"), f.get("type"), Long.parseLong(f.get("counter")), f.get("value"),
        HEX.parseHex(f.get("plaintext")), HEX.parseHex(f.get("aad")), HEX.parseHex(f.get("cell")));
  }

  /** {@code string}, {@code int}, ..., or {@code decimal(p,s)}. */
  static ColumnSpec spec(String dataset, String column, String type) {
    if (type.startsWith("decimal(") && type.endsWith(")")) {
      String[] ps = type.substring("decimal(".length(), type.length() - 1).split(",");
      return ColumnSpec.decimal(dataset, column, Integer.parseInt(ps[0].strip()), Integer.parseInt(ps[1].strip()));
    }
    return ColumnSpec.of(dataset, column, CellType.valueOf(type.toUpperCase(Locale.ROOT)));
  }

  static Object parseValue(CellType type, String text) {
    switch (type) {
      case STRING:
        if (text.length() < 2 || !text.startsWith("\"") || !text.endsWith("\"")) {
          throw new IllegalArgumentException("a string value is written between double quotes: " + text);
        }
        return text.substring(1, text.length() - 1);
      case BINARY:
        return HEX.parseHex(text);
      case BOOLEAN:
        if (!text.equals("true") && !text.equals("false")) {
          throw new IllegalArgumentException("a boolean is true or false: " + text);
        }
        return Boolean.valueOf(text);
      case BYTE:
        return Byte.valueOf(text);
      case SHORT:
        return Short.valueOf(text);
      case INT:
        return Integer.valueOf(text);
      case LONG:
        return Long.valueOf(text);
      case FLOAT:
        return Float.valueOf(text);
      case DOUBLE:
        return Double.valueOf(text);
      case DECIMAL:
        return new BigDecimal(text);
      case DATE:
        return LocalDate.parse(text);
      case TIMESTAMP:
        return Instant.parse(text);
      case TIMESTAMP_NTZ:
        return LocalDateTime.parse(text);
      default:
        throw new IllegalArgumentException("no value syntax for " + type);
    }
  }
}
