package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** encrypt.mode and encrypt.pageAlgorithm on the command line (docs/jobs/encrypt.md "Page mode"). */
class PageModeCliTest {
  private static final String SAMPLE = "conf/sample.yaml";

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "encrypt.mode=rows|Cannot set encrypt.mode to rows: the value must be cell or page",
      "encrypt.pageAlgorithm=AES_CTR|Cannot set encrypt.pageAlgorithm to AES_CTR: the value must be AES_GCM_V1 or"
          + " AES_GCM_CTR_V1",
      "encrypt.pageAlgorithm=AES_GCM_CTR_V1|Cannot set encrypt.pageAlgorithm with encrypt.mode=cell: it applies to"
          + " encrypt.mode=page"})
  void aWrongValueIsOneLineAndExit2BeforeAnyKmsCall(String assignment, String expected) {
    CliTest.Result r = CliTest.cli(encrypt("--set", assignment));
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains(expected), r.err);
    assertFalse(Files.exists(keyring()), "no keyring is opened for a configuration error");
  }

  @Test
  void whatPageModeCannotDoIsRefusedWithExit2BeforeAnyKmsCall() throws IOException {
    CliTest.Result encoding = CliTest.cli(encrypt("--set", "encrypt.mode=page", "--set", "encrypt.cellEncoding=base64"));
    assertEquals(2, encoding.code, encoding.toString());
    assertEquals(List.of("columnseal encrypt: Cannot set encrypt.cellEncoding with encrypt.mode=page: page mode writes"
        + " no cells (encrypted columns keep their own Parquet type); leave encrypt.cellEncoding out"),
        encoding.errLines());

    CliTest.Result quarantine = CliTest.cli(encrypt("--set", "encrypt.mode=page", "--set", "input.malformed=quarantine",
        "--set", "encrypt.columns=card_number"));
    assertEquals(2, quarantine.code, quarantine.toString());
    assertTrue(quarantine.err.contains("Cannot set input.malformed to quarantine with encrypt.mode=page"), quarantine.err);

    String spec = Files.readString(Path.of(SAMPLE), StandardCharsets.UTF_8)
        .replace("    - {name: cvv, protection: drop}", "    - {name: cvv, protection: token}")
        .replace("encrypt:\n", "encrypt:\n  mode: page\n");
    Path yaml = Files.writeString(tmp.resolve("token.yaml"), spec, StandardCharsets.UTF_8);
    CliTest.Result token = CliTest.cli("encrypt", "--config", yaml.toString(), "--set", "kms.keyring=" + keyring(),
        "--set", "output.path=" + dataset());
    assertEquals(2, token.code, token.toString());
    assertEquals(1, token.errLines().size(), token.toString());
    assertTrue(token.err.contains("Cannot encrypt column cvv as token with encrypt.mode=page"), token.err);
    assertFalse(Files.exists(keyring()), "no keyring is opened for a configuration error");
  }

  @Test
  void encryptDecryptCompareInPageModeAndAnAppendInCellModeIsRefused() throws IOException {
    Path csv = smallCsv();
    assertEquals(0, CliTest.cli("keys", "create", "--keyring", keyring().toString(), "--alias", "columnseal-sample").code);
    CliTest.Result enc = CliTest.cli(encrypt("--set", "input.path=" + csv, "--set", "encrypt.mode=page"));
    assertEquals(0, enc.code, enc.toString());

    String decrypted = tmp.resolve("dec").toString();
    CliTest.Result dec = CliTest.cli(withSets("decrypt", "--dataset", dataset(), "--output", decrypted));
    assertEquals(0, dec.code, dec.toString());
    CliTest.Result cmp = CliTest.cli(withSets("compare", "--set", "input.path=" + csv, "--decrypted", decrypted));
    assertEquals(0, cmp.code, cmp.toString());
    assertTrue(cmp.out.startsWith("IDENTICAL: 12 rows x 11 columns"), cmp.out);

    // With the key disabled any KMS call would fail the job (exit 1): exit 2 shows the guard came first.
    assertEquals(0, CliTest.cli("keys", "disable", "--keyring", keyring().toString(), "--key",
        "alias/columnseal-sample").code);
    CliTest.Result cell = CliTest.cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append",
        "--set", "output.allowRepeat=true"));
    assertEquals(2, cell.code, cell.toString());
    assertEquals(List.of("columnseal encrypt: Cannot set encrypt.mode to cell: dataset cards-sample at " + dataset()
        + " is written in page mode and one dataset has one mode; set encrypt.mode=page or write to another"
        + " output.path"), cell.errLines());
  }

  private Path keyring() {
    return tmp.resolve("local.keyring.json");
  }

  private String dataset() {
    return tmp.resolve("cards_enc").toString();
  }

  private String[] withSets(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--config", SAMPLE,
        "--set", "kms.keyring=" + keyring(), "--set", "output.path=" + dataset(), "--set", "output.partitions=2"));
    all.addAll(Arrays.asList(args));
    return all.toArray(new String[0]);
  }

  private String[] encrypt(String... args) {
    return withSets("encrypt", args);
  }

  private Path smallCsv() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("data-samples/financial.csv"), StandardCharsets.UTF_8);
    return Files.write(tmp.resolve("small.csv"), lines.subList(0, 13), StandardCharsets.UTF_8);
  }
}
