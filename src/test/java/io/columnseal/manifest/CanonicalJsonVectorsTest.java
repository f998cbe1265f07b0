package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The string vectors of docs/FORMAT.md 5.3.1, against the canonical writer and the reader's checks. */
class CanonicalJsonVectorsTest {
  private static final Path FORMAT_MD = Path.of("docs", "FORMAT.md");
  private static final HexFormat HEX = HexFormat.of();

  record Vector(String name, String text, byte[] json, byte[] noncanonical) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    Map<String, String> fields = null;
    for (String line : Files.readAllLines(FORMAT_MD, StandardCharsets.UTF_8)) {
      if (line.equals("```columnseal-json-vector")) {
        fields = new LinkedHashMap<>();
      } else if (fields != null && line.equals("```")) {
        out.add(new Vector(fields.get("vector"), units(fields.get("units")), HEX.parseHex(fields.get("json")),
            HEX.parseHex(fields.get("noncanonical"))));
        fields = null;
      } else if (fields != null) {
        int colon = line.indexOf(": ");
        fields.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    return out;
  }

  private static String units(String hex) {
    StringBuilder s = new StringBuilder();
    for (String u : hex.split(" ")) {
      s.append((char) Integer.parseInt(u, 16));
    }
    return s.toString();
  }

  private static byte[] withNewline(byte[] token) {
    byte[] b = Arrays.copyOf(token, token.length + 1);
    b[token.length] = '\n';
    return b;
  }

  @Test
  void theDocumentHasTheVectorsTheTextPromises() throws IOException {
    List<String> names = vectors().stream().map(Vector::name).toList();
    assertEquals(List.of("mixed", "control", "raw-specials", "supplementary", "lone-surrogate"), names);
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void theWriterWritesExactlyTheCanonicalBytes(Vector v) {
    assertArrayEquals(withNewline(v.json()), CanonicalJson.write(TextNode.valueOf(v.text())));
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void theReaderReadsTheCanonicalBytesBackAndRefusesTheOtherSpelling(Vector v) throws IOException {
    assertEquals(v.text(), CanonicalJson.parse(v.json()).textValue());
    // The other spelling means the same string, but re-serializing it does not give its bytes:
    // CommitLog's byte comparison (FORMAT.md 5.6 check 3) refuses such a file.
    assertEquals(v.text(), CanonicalJson.parse(v.noncanonical()).textValue());
    assertFalse(Arrays.equals(withNewline(v.noncanonical()), CanonicalJson.write(CanonicalJson.parse(v.noncanonical()))));
  }

  /** The same rules hold inside a whole commit: a column name with every kind of character. */
  @Test
  void aColumnNameInACommitIsWrittenAsTheVectorSays() throws IOException {
    Vector mixed = vectors().get(0);
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, "cards_enc", "run-1")
        .schema(List.of(ColumnRecord.of(mixed.text(), "string", true, false)))
        .stat("rows", 0)
        .build();
    Commit commit = Commit.fromDraft(draft, 1, Instant.parse("2026-11-22T02:00:07Z"), null).seal();
    byte[] file = CommitCodec.encode(commit);
    String asLatin1 = new String(file, StandardCharsets.ISO_8859_1);
    assertTrue(asLatin1.contains("\"name\":" + new String(mixed.json(), StandardCharsets.ISO_8859_1)),
        "the commit holds the vector's bytes");
    Commit back = CommitCodec.decode(CanonicalJson.parse(file));
    assertEquals(mixed.text(), back.schema().get(0).name());
    assertArrayEquals(file, CommitCodec.encode(back));
  }
}
