package io.columnseal.cli;

import static io.columnseal.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.ConfigException;
import io.columnseal.cli.CliTest.Result;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.crypto.protect.Protection;
import io.columnseal.kms.KeyServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * encrypt.columns entries with a protection (issue 14 item 1): each bad entry is refused with
 * exit 2 and one line naming the column, before any Spark job or KMS call (no keyring is made).
 */
class ColumnPolicyConfigTest {
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

  @Test
  void anUnknownProtectionIsRefused() throws IOException {
    refused("  columns: [names, {name: card_number, protection: scramble}]\n",
        "Cannot set encrypt.columns entry card_number: protection scramble is unknown; it must be randomized,"
            + " deterministic, fpe, token, mask or drop");
  }

  @Test
  void anOptionOfAnotherProtectionIsRefused() throws IOException {
    refused("  columns: [{name: card_number, protection: mask, keepFirst: '6'}]\n",
        "Cannot set encrypt.columns entry card_number: option keepFirst is unknown for protection mask; it takes show");
    refused("  columns: [{name: cvv, protection: drop, domain: pan}]\n",
        "Cannot set encrypt.columns entry cvv: option domain is unknown for protection drop, which takes none");
    refused("  columns: [{name: names, key: alias/pii, domain: pii}]\n",
        "Cannot set encrypt.columns entry names: option domain is unknown for protection randomized, which takes none");
  }

  @Test
  void aBadOptionValueIsRefused() throws IOException {
    refused("  columns: [{name: card_number, protection: fpe, keepFirst: '5'}]\n",
        "Cannot set encrypt.columns entry card_number: option keepFirst cannot be 5; it must be 6 or 0");
    refused("  columns: [{name: card_number, protection: mask, show: all}]\n",
        "Cannot set encrypt.columns entry card_number: option show cannot be all; it must be last4 or first6last4");
    refused("  columns: [{name: card_number, protection: token, bytes: '4'}]\n",
        "Cannot set encrypt.columns entry card_number: option bytes cannot be 4; it must be a whole number from 8 to 32");
  }

  @Test
  void aColumnNamedTwiceInTwoFormsIsRefused() throws IOException {
    refused("  columns: [card_number, {name: card_number, protection: mask}]\n",
        "Cannot set encrypt.columns: column card_number is named twice; give it once, with one protection");
  }

  @Test
  void aKeyForMaskOrDropIsRefused() throws IOException {
    refused("  columns: [{name: cvv, protection: drop, key: alias/pan}]\n",
        "Cannot set encrypt.columns entry cvv: protection drop uses no key; leave out key alias/pan");
    refused("  columns: [{name: pan_masked, protection: mask, key: alias/pan}]\n",
        "Cannot set encrypt.columns entry pan_masked: protection mask uses no key; leave out key alias/pan");
  }

  @Test
  void aProtectionOnAPartitionColumnIsRefused() throws IOException {
    refused("  columns: [card_number, {name: branch, protection: mask}]\noutput.partitionBy: [branch]\n",
        "output.partitionBy names branch, which is protected (mask): partition values are folder names in clear"
            + " text; partition by a column that is not sensitive");
  }

  @Test
  void quarantineIsRefusedWithAColumnPolicyForItWouldKeepDroppedColumns() throws IOException {
    refused("  columns: [card_number, {name: cvv, protection: drop}]\ninput.malformed: quarantine\n",
        "Cannot set input.malformed to quarantine with a column policy (column cvv is drop): a quarantined row is kept"
            + " whole under kms.key, dropped and other key groups' columns included; set input.malformed=fail");
    refused("  columns: [{name: card_number, key: alias/pan}]\ninput.malformed: quarantine\n",
        "Cannot set input.malformed to quarantine with a column policy (column card_number is randomized under"
            + " alias/pan): a quarantined row is kept whole under kms.key, dropped and other key groups' columns"
            + " included; set input.malformed=fail");
  }

  @Test
  void anEntryWithoutANameOrWithAMemberTwiceIsRefused() throws IOException {
    refused("  columns: [{protection: mask}]\n",
        "Cannot set encrypt.columns: an entry has no name (give {name: COLUMN, protection: ...})");
    Path spec = spec(HEAD + "encrypt:\n  columns:\n    - {name: cvv, protection: drop, protection: mask}\n");
    assertRefused("columnseal encrypt: Cannot set encrypt.columns (--config " + spec + " line 12): member protection"
        + " is given twice in one entry; give it once", "encrypt", "--config", spec.toString());
  }

  /** The Java API refuses what the CLI refuses: the checks are in the settings, not the CLI. */
  @Test
  void theJavaApiRefusesTheSame() {
    EncryptSettings.Builder b = EncryptSettings.builder().datasetId("cards").inputPath("in.csv")
        .keyService(KeyServiceSpec.local(tmp.resolve("k.json").toString())).kmsKey("alias/k").outputPath("out");
    ConfigException twice = assertThrows(ConfigException.class, () -> b.policies(List.of(
        ColumnPolicy.randomized("cvv"), ColumnPolicy.of("cvv", "drop", null, Map.of()))).build());
    assertEquals("Cannot set encrypt.columns: column cvv is named twice; give it once, with one protection",
        twice.getMessage());
    ConfigException partition = assertThrows(ConfigException.class, () -> b.policies(List.of(
        ColumnPolicy.of("day", "drop", null, Map.of()))).partitionBy(List.of("day")).build());
    assertEquals("output.partitionBy names day, which is protected (drop): partition values are folder names in clear"
        + " text; partition by a column that is not sensitive", partition.getMessage());
    assertThrows(ConfigException.class, () -> ColumnPolicy.of("pan", "fpe", null, Map.of("luhn", "yes")));

    EncryptSettings ok = b.partitionBy(List.of()).policies(List.of(ColumnPolicy.randomized("names"),
        ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()),
        ColumnPolicy.of("pan_masked", "mask", null, Map.of("show", "last4")),
        ColumnPolicy.of("cvv", "drop", null, Map.of()))).build();
    assertEquals(List.of("names", "card_number"), ok.columns, "only the sealed columns");
    assertEquals(Protection.MASK, ok.policy("pan_masked").protection);
    assertFalse(ok.plainPolicies());
  }

  @Test
  void plainNamesAndBareEntriesAreAccepted() throws IOException {
    JobConfig c = JobConfig.load(spec(HEAD + "encrypt:\n  columns: [names, {name: card_number}]\n"), List.of());
    assertEquals(List.of(ColumnPolicy.randomized("names"), ColumnPolicy.randomized("card_number")),
        c.columnPolicies());
    JobConfig mixed = JobConfig.load(spec(HEAD + "encrypt:\n  columns:\n    - names\n"
        + "    - {name: card_number, protection: fpe, key: alias/pan, domain: pan, keepFirst: 6, keepLast: 4,"
        + " luhn: true}\n"), List.of());
    assertEquals(ColumnPolicy.of("card_number", "fpe", "alias/pan",
        Map.of("domain", "pan", "keepFirst", "6", "keepLast", "4", "luhn", "true")), mixed.columnPolicies().get(1));
    assertEquals(List.of("names", "card_number"), mixed.sealedColumns());
  }

  /** A named domain is shared by datasets only through one domain store: without it, exit 2 before any KMS call. */
  @Test
  void aNamedDomainWithoutADomainStoreIsRefusedBeforeAnyKmsCall() throws IOException {
    refused("  columns: [names, {name: card_number, protection: fpe, key: alias/pan, domain: pan}]\n",
        "column card_number names a token domain: set encrypt.domainStore to the domain store that every dataset"
            + " of that domain uses");
  }

  private void refused(String columns, String message) throws IOException {
    Path spec = spec(HEAD + "encrypt:\n" + columns);
    assertRefused("columnseal encrypt: " + message, "encrypt", "--config", spec.toString());
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
