package io.columnseal.cli;

import static io.columnseal.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.columnseal.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A job spec that could silently weaken protection is refused: exit 2, one line, before any
 * Spark job or KMS call (the keyring is never created). Issue 10 item 3.
 */
class StrictConfigTest {
  private static final String HEAD = String.join("\n",
      "dataset: cards",
      "input:",
      "  path: in.csv",
      "kms:",
      "  provider: local",
      "  key: alias/k",
      "  keyring: KEYRING",
      "output:",
      "  path: out",
      "");

  @TempDir
  Path tmp;

  /** The case from main: a second encrypt block replaced the first, and two columns went out in clear. */
  @Test
  void aSecondTopLevelBlockIsRefusedWithBothLines() throws IOException {
    Path spec = spec(HEAD
        + "encrypt:\n"                                        // line 10
        + "  columns: [card_number, cardholder_name, cvv]\n"
        + "encrypt:\n"                                        // line 12
        + "  columns: [cvv]\n");
    assertRefused("columnseal encrypt: Cannot read --config " + spec
        + ": key encrypt is given twice, at lines 10 and 12; give it once", "encrypt", "--config", spec.toString());
  }

  @Test
  void aNestedKeyGivenTwiceIsRefused() throws IOException {
    Path spec = spec(HEAD.replace("  path: in.csv\n", "  path: in.csv\n  options:\n    header: 'true'\n    header: 'false'\n")
        + "encrypt:\n  columns: [cvv]\n");
    assertRefused("columnseal encrypt: Cannot read --config " + spec
        + ": key input.options.header is given twice, at lines 5 and 6; give it once", "encrypt", "--config", spec.toString());
  }

  @Test
  void aKeyGivenNestedAndDottedIsRefused() throws IOException {
    Path spec = spec(HEAD + "encrypt:\n  columns: [cvv]\ninput.path: other.csv\n");
    assertRefused("columnseal encrypt: Cannot read --config " + spec
        + ": key input.path is given twice, at lines 3 and 12; give it once", "encrypt", "--config", spec.toString());

    Path columns = spec(HEAD + "encrypt.columns: [card_number, cvv]\nencrypt:\n  columns: [cvv]\n");
    assertRefused("columnseal encrypt: Cannot read --config " + columns
        + ": key encrypt.columns is given twice, at lines 10 and 12; give it once", "encrypt", "--config", columns.toString());
  }

  @Test
  void aSyntaxErrorGivesLineAndColumn() throws IOException {
    Path spec = spec("dataset: cards\ninput:\n  path: [unclosed\n  format: csv\n");
    assertRefused("columnseal encrypt: Cannot read --config " + spec
        + ": not valid YAML at line 4, column 9: expected ',' or ']', but got :", "encrypt", "--config", spec.toString());
  }

  @Test
  void aListWhereAMappingIsExpectedSaysSo() throws IOException {
    Path spec = spec("dataset: cards\ninput: [in.csv, csv]\n");
    assertRefused("columnseal encrypt: Cannot set input (--config " + spec + " line 2): a mapping of keys (input.path,"
        + " input.format, input.schema, input.malformed, input.options.<name>) is expected, not a list",
        "encrypt", "--config", spec.toString());
  }

  @Test
  void aMappingWhereAValueOrListIsExpectedSaysSo() throws IOException {
    Path mode = spec(HEAD + "encrypt:\n  columns: [cvv]\noutput.mode:\n  append: true\n");
    assertRefused("columnseal encrypt: Cannot set output.mode (--config " + mode
        + " line 12): a single value is expected, not a mapping", "encrypt", "--config", mode.toString());

    Path columns = spec(HEAD + "encrypt:\n  columns:\n    card_number: true\n");
    assertRefused("columnseal encrypt: Cannot set encrypt.columns (--config " + columns
        + " line 11): a list is expected, not a mapping", "encrypt", "--config", columns.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"  columns: []\n", "  columns: \"\"\n", "  columns:\n", "  columns: [\"\", \" \"]\n"})
  void anEmptyColumnListIsRefused(String columns) throws IOException {
    Path spec = spec(HEAD + "encrypt:\n" + columns);
    assertRefused("columnseal encrypt: Cannot set encrypt.columns to an empty list: name at least one input column"
        + " to encrypt", "encrypt", "--config", spec.toString());
  }

  @Test
  void anEmptyColumnListFromSetIsRefused() throws IOException {
    Path spec = spec(HEAD + "encrypt:\n  columns: [cvv]\n");
    assertRefused("columnseal encrypt: Cannot set encrypt.columns to an empty list: name at least one input column"
        + " to encrypt", "encrypt", "--config", spec.toString(), "--set", "encrypt.columns=");
    assertRefused("columnseal encrypt: Cannot set encrypt.columns to an empty list: name at least one input column"
        + " to encrypt", "encrypt", "--config", spec.toString(), "--set", "encrypt.columns= , ");
  }

  @Test
  void aSetOverridesTheFileAsBefore() throws IOException {
    // --set on top of the file is the documented way to override: not a duplicate.
    Path spec = spec(HEAD + "encrypt:\n  columns: [cvv]\n");
    Result r = cli("encrypt", "--config", spec.toString(), "--set", "output.mode=sometimes");
    assertEquals(2, r.code, r.toString());
    assertEquals(List.of("columnseal encrypt: Cannot set output.mode to sometimes: the value must be error, append or"
        + " overwrite"), r.errLines());
  }

  private void assertRefused(String expectedLine, String... args) {
    Result r = cli(args);
    assertEquals(2, r.code, r.toString());
    assertEquals(List.of(expectedLine), r.errLines(), r.toString());
    assertEquals("", r.out);
    assertFalse(Files.exists(keyring()), "no keyring was opened or created");
  }

  private Path spec(String yaml) throws IOException {
    return Files.writeString(tmp.resolve("job-" + Math.abs(yaml.hashCode()) + ".yaml"),
        yaml.replace("KEYRING", keyring().toString()));
  }

  private Path keyring() {
    return tmp.resolve("local.keyring.json");
  }

}
