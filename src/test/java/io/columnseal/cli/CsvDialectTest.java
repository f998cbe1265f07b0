package io.columnseal.cli;

import static io.columnseal.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV is read as RFC 4180 unless the spec says otherwise (a quote inside a quoted field is
 * doubled), and compare reads the input independently of Spark's reader options, so a dialect
 * the job misread is a difference (exit 1), not IDENTICAL.
 */
class CsvDialectTest {
  /** A ';'-separated file as Excel and columnseal's own CSV output write it. */
  private static final List<String> SHOPS = List.of(
      "id;shop;owner;note",
      "1;\"The \"\"Quality\"\" Bakery\";\"Ann \"\"Nan\"\" Lee\";plain",
      "2;\"Semi; colon\";Bob;\"back\\slash\"",
      "3;Corner Shop;\"\";x",
      "4;\"Line with \"\"quotes\"\" and ; both\";Dee;\"ends with \\\"");

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  @Test
  void anRfc4180FileRoundTripsExactlyWithTheDefaults() throws IOException {
    Path csv = Files.write(tmp.resolve("shops.csv"), SHOPS, StandardCharsets.UTF_8);
    Path spec = spec(csv);
    createKey();
    CliTest.Result enc = cli(withSpec("encrypt", spec));
    assertEquals(0, enc.code, enc.toString());
    String dec = tmp.resolve("dec").toString();
    CliTest.Result d = cli(withSpec("decrypt", spec, "--dataset", dataset(), "--output", dec));
    assertEquals(0, d.code, d.toString());

    Map<String, List<String>> rows = rowsById(dec);
    assertEquals(Arrays.asList("The \"Quality\" Bakery", "Ann \"Nan\" Lee", "plain"), rows.get("1"));
    assertEquals(Arrays.asList("Semi; colon", "Bob", "back\\slash"), rows.get("2"));
    assertEquals(Arrays.asList("Corner Shop", null, "x"), rows.get("3"));
    assertEquals(Arrays.asList("Line with \"quotes\" and ; both", "Dee", "ends with \\"), rows.get("4"));

    CliTest.Result cmp = cli(withSpec("compare", spec, "--decrypted", dec));
    assertEquals(0, cmp.code, cmp.toString());
    assertTrue(cmp.out.startsWith("IDENTICAL: 4 rows x 4 columns"), cmp.out);

    // decrypt's CSV output is RFC 4180 too: an RFC 4180 parser reads back the same fields.
    String decCsv = tmp.resolve("dec-csv").toString();
    CliTest.Result c = cli(withSpec("decrypt", spec, "--dataset", dataset(), "--output", decCsv, "--format", "csv"));
    assertEquals(0, c.code, c.toString());
    Map<String, List<String>> parsed = new TreeMap<>();
    try (Stream<Path> parts = Files.list(Path.of(decCsv))) {
      for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".csv")).toList()) {
        try (CSVParser parser = CSVParser.parse(part, StandardCharsets.UTF_8,
            CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build())) {
          for (CSVRecord r : parser) {
            parsed.put(r.get("id"), List.of(r.get("shop"), r.get("owner"), r.get("note")));
          }
        }
      }
    }
    assertEquals(List.of("The \"Quality\" Bakery", "Ann \"Nan\" Lee", "plain"), parsed.get("1"));
    assertEquals(List.of("Semi; colon", "Bob", "back\\slash"), parsed.get("2"));
    assertEquals(List.of("Line with \"quotes\" and ; both", "Dee", "ends with \\"), parsed.get("4"));
    assertEquals(4, parsed.size());
  }

  @Test
  void aBackslashEscapeMisreadsTheFileAndCompareSaysSo() throws IOException {
    Path csv = Files.write(tmp.resolve("shops.csv"), SHOPS.subList(0, 4), StandardCharsets.UTF_8);
    Path spec = spec(csv);
    createKey();
    // Spark's own default escape, forced: encrypt cannot tell, and exits 0.
    CliTest.Result enc = cli(withSpec("encrypt", spec, "--set", "input.options.escape=\\"));
    assertEquals(0, enc.code, enc.toString());
    String dec = tmp.resolve("dec").toString();
    CliTest.Result d = cli(withSpec("decrypt", spec, "--dataset", dataset(), "--output", dec));
    assertEquals(0, d.code, d.toString());
    assertEquals("\"The \"\"Quality\"\" Bakery\"", rowsById(dec).get("1").get(0), "the misparse happened");

    CliTest.Result cmp = cli(withSpec("compare", spec, "--set", "input.options.escape=\\", "--decrypted", dec));
    assertEquals(1, cmp.code, cmp.toString());
    assertTrue(cmp.out.startsWith("DIFFERENT: input 3 rows, decrypted 3 rows; 1 input rows have no identical"
        + " decrypted row, 1 decrypted rows have no identical input row"), cmp.out);
  }

  private Path spec(Path csv) throws IOException {
    return Files.writeString(tmp.resolve("shops.yaml"), String.join("\n",
        "dataset: shops",
        "input:",
        "  path: " + csv,
        "  options:",
        "    sep: \";\"",
        "encrypt:",
        "  columns: [owner]",
        "kms:",
        "  provider: local",
        "  key: alias/shops",
        "  keyring: " + tmp.resolve("local.keyring.json"),
        "output:",
        "  path: " + dataset(),
        "  partitions: 2",
        ""));
  }

  private String dataset() {
    return tmp.resolve("shops_enc").toString();
  }

  private void createKey() {
    CliTest.Result r = cli("keys", "create", "--keyring", tmp.resolve("local.keyring.json").toString(), "--alias", "shops");
    assertEquals(0, r.code, r.toString());
  }

  private static String[] withSpec(String command, Path spec, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--config", spec.toString()));
    all.addAll(Arrays.asList(args));
    return all.toArray(new String[0]);
  }

  /** id -> shop, owner, note of the decrypted Parquet copy. */
  private static Map<String, List<String>> rowsById(String decrypted) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (Row r : SharedSpark.session().read().parquet(decrypted).collectAsList()) {
      rows.put(r.getString(0), Arrays.asList(r.getString(1), r.getString(2), r.getString(3)));
    }
    return rows;
  }
}
