package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectors of docs/FORMAT.md section 10.6 (fenced blocks {@code columnseal-protect-vector}),
 * computed by the protections and, where reversible, opened back to the value.
 */
class ProtectionVectorsTest {
  private static final Path FORMAT_MD = Path.of("docs", "FORMAT.md");
  private static final HexFormat HEX = HexFormat.of();

  record Vector(Map<String, String> f) {
    String get(String k) {
      String v = f.get(k);
      if (v == null) {
        throw new IllegalStateException("vector " + f.get("vector") + " has no field " + k);
      }
      return v;
    }

    @Override
    public String toString() {
      return f.get("vector");
    }
  }

  static List<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    Map<String, String> fields = null;
    for (String line : Files.readAllLines(FORMAT_MD, StandardCharsets.UTF_8)) {
      if (line.equals("```columnseal-protect-vector")) {
        fields = new LinkedHashMap<>();
      } else if (fields != null && line.equals("```")) {
        out.add(new Vector(fields));
        fields = null;
      } else if (fields != null) {
        int colon = line.indexOf(": ");
        fields.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    return out;
  }

  @Test
  void theDocumentHasEveryProtection() throws IOException {
    List<String> kinds = vectors().stream().map(v -> v.get("protection")).distinct().toList();
    assertEquals(List.of("hkdf", "deterministic", "fpe", "token", "mask"), kinds);
    assertEquals(15, vectors().size());
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void theProtectionWritesExactlyTheDocumentedOutput(Vector v) {
    String protection = v.get("protection");
    if (protection.equals("mask")) {
      Masker m = Masker.of(MaskStyle.fromConfigName(v.get("options")));
      assertEquals(v.get("output"), m.mask(v.get("value")));
      return;
    }
    try (DomainKey key = DomainKey.of(v.get("domain"), DekId.parse(v.get("key_id")), HEX.parseHex(v.get("key")))) {
      switch (protection) {
        case "hkdf" -> assertEquals(v.get("output"), HEX.formatHex(key.derive(v.get("options"))));
        case "deterministic" -> {
          ColumnSpec column = column(v.get("type"));
          Object value = value(column, v.get("value"));
          try (DeterministicCipher c = DeterministicCipher.open(key)) {
            byte[] cell = c.sealValue(column, value);
            assertEquals(v.get("output"), HEX.formatHex(cell));
            assertEquals(value, c.openValue(column, HEX.parseHex(v.get("output"))));
          }
        }
        case "fpe" -> {
          try (FormatPreservingCipher c = FormatPreservingCipher.open(key, fpeOptions(v.get("options")))) {
            assertEquals(v.get("output"), c.encrypt("c", v.get("value")));
            assertEquals(v.get("value"), c.decrypt("c", v.get("output")));
          }
        }
        case "token" -> {
          ColumnSpec column = column(v.get("type"));
          int bytes = Integer.parseInt(v.get("options").substring("bytes=".length()));
          try (Tokenizer t = Tokenizer.open(key, bytes)) {
            assertEquals(v.get("output"), t.tokenValue(column, value(column, v.get("value"))));
          }
        }
        default -> throw new IllegalStateException("unknown protection " + protection);
      }
    }
  }

  @Test
  void theDeterministicVectorsPlaintextIsTheSection4Encoding() throws IOException {
    for (Vector v : vectors()) {
      if (v.get("protection").equals("deterministic")) {
        ColumnSpec column = column(v.get("type"));
        byte[] cell = HEX.parseHex(v.get("output"));
        try (DomainKey key = DomainKey.of(v.get("domain"), DekId.parse(v.get("key_id")), HEX.parseHex(v.get("key")));
            DeterministicCipher c = DeterministicCipher.open(key)) {
          assertArrayEquals(HEX.parseHex(v.get("plaintext")), c.open(column, cell), v.toString());
          assertEquals(v.get("aad"), HEX.formatHex(DeterministicCipher.associatedData(v.get("domain"), column, key.id())));
        }
      }
    }
  }

  private static FpeOptions fpeOptions(String s) {
    List<String> o = List.of(s.split(","));
    return new FpeOptions(o.contains("first6"), o.contains("last4"), o.contains("luhn"));
  }

  private static ColumnSpec column(String type) {
    if (type.startsWith("decimal(")) {
      String[] ps = type.substring(8, type.length() - 1).split(",");
      return ColumnSpec.decimal("any", "any", Integer.parseInt(ps[0]), Integer.parseInt(ps[1]));
    }
    return ColumnSpec.of("any", "any", CellType.valueOf(type.toUpperCase(java.util.Locale.ROOT)));
  }

  private static Object value(ColumnSpec column, String text) {
    return switch (column.type()) {
      case STRING -> text;
      case LONG -> Long.parseLong(text);
      case DATE -> LocalDate.parse(text);
      case DECIMAL -> new BigDecimal(text);
      default -> throw new IllegalStateException("no vector parser for " + column.type());
    };
  }
}
