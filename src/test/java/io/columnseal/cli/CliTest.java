package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.manifest.ManifestStore;
import io.columnseal.testing.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line through {@link Main#run}: exit codes, one-line errors, --help, a round trip. */
class CliTest {
  private static final String SAMPLE = "conf/sample.yaml";
  private static final Pattern ARN = Pattern.compile("arn:aws:kms:local:[0-9]{12}:key/[0-9a-f-]{36}");

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    // The commands' SparkSession.getOrCreate() then finds the tests' shared session; starting it
    // here also keeps Spark's start-up logging out of the captured streams.
    SharedSpark.session();
  }

  /** What a command printed and returned. */
  static final class Result {
    final int code;
    final String out;
    final String err;

    Result(int code, String out, String err) {
      this.code = code;
      this.out = out;
      this.err = err;
    }

    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  static synchronized Result cli(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.run(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  // ---- configuration errors: exit 2, one line naming the key, before any Spark job or KMS call

  @Test
  void anUnknownKeyIsOneLineWithTheNearestKnownKey() {
    Result r = cli(encrypt("--set", "output.partitons=4"));
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith(
        "columnseal encrypt: Unknown configuration key output.partitons (did you mean output.partitions?); known keys: "),
        r.err);
  }

  @Test
  void anUnknownKeyInTheYamlFileIsNamedByItsDottedPath() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("job.yaml"), "dataset: cards\nouput:\n  path: /tmp/x\n");
    Result r = cli("encrypt", "--config", yaml.toString());
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains("ouput.path (did you mean output.path?)"), r.err);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "output.mode=sometimes|Cannot set output.mode to sometimes: the value must be error, append or overwrite",
      "input.format=xml|Cannot set input.format to xml: the value must be csv or parquet",
      "output.partitions=0|Cannot set output.partitions to 0: the value must be a whole number",
      "output.partitions=four|Cannot set output.partitions to four",
      "encrypt.cellEncoding=hex|Cannot set encrypt.cellEncoding to hex: the value must be binary or base64",
      "output.parquetPages=v3|Cannot set output.parquetPages to v3: the value must be v1 or v2",
      "kms.provider=vault|Cannot set kms.provider to vault: the value must be local or aws",
      "dataset=cards/2026|Cannot set dataset to cards/2026"})
  void aWrongValueNamesTheKeyAndWhatIsAllowed(String assignment, String expected) {
    Result r = cli(encrypt("--set", assignment));
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains(expected), r.err);
    assertFalse(Files.exists(keyring()), "no keyring is opened or created for a configuration error");
  }

  @Test
  void aSecondInputFileWithoutTheHeaderLineIsExit2NamingIt() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("data-samples/financial.csv"), StandardCharsets.UTF_8);
    Path landing = Files.createDirectories(tmp.resolve("landing"));
    Files.write(landing.resolve("a.csv"), lines.subList(0, 4), StandardCharsets.UTF_8);
    Files.write(landing.resolve("b.csv"), lines.subList(4, 8), StandardCharsets.UTF_8);
    Result r = cli(encrypt("--set", "input.path=" + landing));
    assertEquals(2, r.code, r.toString());
    assertEquals(List.of("columnseal encrypt: file:" + landing.resolve("b.csv") + " does not start with the header"
        + " line of file:" + landing.resolve("a.csv") + ": field 1 of its first line differs from the header's; Spark"
        + " would drop its first line as a header; set input.options.header=false if no file has one"), r.errLines());
    assertFalse(Files.exists(keyring()), "no keyring is opened or created before the check");
    assertFalse(Files.exists(Path.of(dataset())), "nothing written");
  }

  @Test
  void aMissingRequiredKeyIsNamed() {
    Result r = cli(encrypt("--set", "output.path="));
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains("Missing configuration key output.path"), r.err);

    Result none = cli("encrypt", "--set", "dataset=cards");
    assertEquals(2, none.code, none.toString());
    assertTrue(none.err.contains("Missing configuration key encrypt.columns"), none.err);
  }

  @Test
  void badYamlIsAConfigurationError() throws IOException {
    Path yaml = Files.writeString(tmp.resolve("bad.yaml"), "dataset: cards\ninput: [unclosed\n");
    Result r = cli("encrypt", "--config", yaml.toString());
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains("Cannot read --config " + yaml + ": not valid YAML"), r.err);

    Result missing = cli("encrypt", "--config", tmp.resolve("nope.yaml").toString());
    assertEquals(2, missing.code, missing.toString());
    assertTrue(missing.err.contains("no such file"), missing.err);
  }

  @Test
  void aColumnTheInputLacksIsAConfigurationErrorBeforeAnyKmsCall() throws IOException {
    Path csv = smallCsv();
    Result r = cli(encrypt("--set", "input.path=" + csv, "--set", "encrypt.columns=card_number,cvc"));
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.contains("Cannot set encrypt.columns to cvc"), r.err);
    assertFalse(Files.exists(keyring()), "the keyring was never opened");
  }

  // ---- --help

  @Test
  void everyCommandHasHelp() {
    List<List<String>> commands = List.of(List.of(), List.of("encrypt"), List.of("decrypt"), List.of("verify"),
        List.of("recover"), List.of("keys"), List.of("keys", "create"), List.of("keys", "list"),
        List.of("keys", "rotate"), List.of("keys", "disable"), List.of("keys", "enable"), List.of("sample"), List.of("compare"));
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      Result r = cli(args.toArray(new String[0]));
      assertEquals(0, r.code, command + ": " + r);
      String usage = "Usage: columnseal" + (command.isEmpty() ? "" : " " + String.join(" ", command));
      assertTrue(r.out.startsWith(usage), command + ": " + r.out);
      assertEquals("", r.err, command + " wrote to stderr");
    }
  }

  @Test
  void helpKeepsExamplesWhole() {
    // At picocli's default 80 columns "--set output.mode=append" was cut after "--set".
    Result r = cli("encrypt", "--help");
    assertTrue(r.out.lines().anyMatch(l -> l.endsWith("Override one key of the spec, e.g. --set output.mode=append;"
        + " repeatable. Lists take commas.")), r.out);
    assertTrue(r.out.lines().anyMatch(l -> l.trim().startsWith("--verbose ")), "the global --verbose: " + r.out);
  }

  @Test
  void noCommandOrSubcommandIsAUsageErrorListingThemAll() {
    Result none = cli();
    assertEquals(2, none.code, none.toString());
    assertEquals("", none.out);
    assertTrue(none.err.startsWith("Usage: columnseal "), none.err);
    for (String c : List.of("encrypt", "decrypt", "verify", "recover", "rewrap", "manifest", "keys", "compare", "sample")) {
      assertTrue(none.err.contains("\n  " + c + " "), c + " in:\n" + none.err);
    }
    Result manifest = cli("manifest");
    assertEquals(2, manifest.code, manifest.toString());
    assertTrue(manifest.err.startsWith("Usage: columnseal manifest ") && manifest.err.contains("  log "), manifest.err);
    Result keys = cli("keys");
    assertEquals(2, keys.code, keys.toString());
    assertTrue(keys.err.startsWith("Usage: columnseal keys ") && keys.err.contains("  create "), keys.err);
  }

  // ---- sample

  @Test
  void sampleSaysWhatItWrote() throws IOException {
    Path csv = tmp.resolve("cards.csv");
    Result r = cli("sample", "--rows", "1500", "--seed", "7", "--out", csv.toString());
    assertEquals(0, r.code, r.toString());
    assertEquals("wrote 1,500 rows (seed 7) to " + csv + "\n", r.out);
    assertEquals(1501, Files.readAllLines(csv).size(), "a header and 1500 rows");
  }

  // ---- keys

  @Test
  void keysCommandsPrintTheKeyArn() {
    Result created = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "cards");
    assertEquals(0, created.code, created.toString());
    String arn = arnIn(created.out);
    assertEquals("created " + arn + " (Enabled)\n", created.out);

    Result again = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "cards", "--if-missing");
    assertEquals(0, again.code, again.toString());
    assertTrue(again.out.startsWith("exists " + arn + " alias/cards"), again.out);

    Result list = cli("keys", "list", "--keyring", keyring().toString());
    assertEquals(0, list.code, list.toString());
    assertTrue(list.out.startsWith(arn + "  Enabled  versions=1 current=1  alias/cards"), list.out);

    Result rotated = cli("keys", "rotate", "--keyring", keyring().toString(), "--key", "alias/cards");
    assertEquals(0, rotated.code, rotated.toString());
    assertTrue(rotated.out.startsWith("rotated " + arn + " to version 2"), rotated.out);

    // kms.keyring from --set works as well as --keyring.
    Result disabled = cli("keys", "disable", "--set", "kms.keyring=" + keyring(), "--key", arn);
    assertEquals(0, disabled.code, disabled.toString());
    assertTrue(disabled.out.startsWith("disabled " + arn + " (Disabled)"), disabled.out);

    Result enabled = cli("keys", "enable", "--keyring", keyring().toString(), "--key", "alias/cards");
    assertEquals(0, enabled.code, enabled.toString());
    assertTrue(enabled.out.startsWith("enabled " + arn + " (Enabled)"), enabled.out);

    Result listed = cli("keys", "list", "--keyring", keyring().toString());
    assertTrue(listed.out.startsWith(arn + "  Enabled  versions=2 current=2"), listed.out);
  }

  @Test
  void keysCreateSpecHmacMakesAnHmacKeyThatDoesNotRotate() {
    Result created = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "manifest-mac", "--spec", "hmac");
    assertEquals(0, created.code, created.toString());
    String arn = arnIn(created.out);
    assertEquals("created " + arn + " (Enabled)\n", created.out);

    Result list = cli("keys", "list", "--keyring", keyring().toString());
    assertTrue(list.out.startsWith(arn + "  Enabled  versions=1 current=1 spec=HMAC_256  alias/manifest-mac"), list.out);

    Result rotated = cli("keys", "rotate", "--keyring", keyring().toString(), "--key", "alias/manifest-mac");
    assertEquals(1, rotated.code, rotated.toString());
    assertEquals(1, rotated.errLines().size(), rotated.toString());
    assertTrue(rotated.err.contains("is an HMAC_256 key, and HMAC keys do not rotate"), rotated.err);

    Result again = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "manifest-mac", "--if-missing");
    assertEquals(1, again.code, "an AES key was asked for: " + again);
    assertTrue(again.err.contains("the alias names " + arn + ", a HMAC_256 key, not SYMMETRIC_DEFAULT"), again.err);
    Result same = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "manifest-mac", "--if-missing",
        "--spec", "hmac");
    assertEquals(0, same.code, same.toString());
    assertTrue(same.out.startsWith("exists " + arn + " alias/manifest-mac"), same.out);

    Result bad = cli("keys", "create", "--keyring", keyring().toString(), "--spec", "rsa");
    assertEquals(2, bad.code, bad.toString());
    assertEquals("columnseal keys create: Cannot set --spec to that value: the value must be aes or hmac\n", bad.err);
  }

  @Test
  void aBadAliasIsAUsageErrorAndAnUnknownKeyAFailure() {
    Result bad = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "cards and more!");
    assertEquals(2, bad.code, bad.toString());
    assertEquals(1, bad.errLines().size(), bad.toString());
    assertTrue(bad.err.startsWith("columnseal keys create: Cannot use the alias given (15 characters): "), bad.err);
    assertFalse(bad.err.contains("cards and more!"), "a malformed alias is not echoed: " + bad.err);

    Result unknown = cli("keys", "rotate", "--keyring", keyring().toString(), "--key", "alias/nope");
    assertEquals(1, unknown.code, unknown.toString());
    assertEquals(1, unknown.errLines().size(), unknown.toString());
    assertTrue(unknown.err.startsWith("columnseal keys rotate: failed: ") && unknown.err.contains("alias/nope"), unknown.err);
  }

  @Test
  void keysWithoutAKeyringIsAConfigurationError() {
    Result r = cli("keys", "list");
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal keys list: Missing --keyring PATH"), r.err);
  }

  // ---- jobs

  @Test
  void encryptVerifyDecryptCompareRoundTrip() throws IOException {
    Path csv = smallCsv();
    createSampleKey();
    Result enc = cli(encrypt("--set", "input.path=" + csv));
    assertEquals(0, enc.code, enc.toString());

    Result verify = cli(withSets("verify", "--dataset", dataset()));
    assertEquals(0, verify.code, verify.toString());
    assertTrue(verify.out.contains("): OK"), verify.out);

    String decrypted = tmp.resolve("dec").toString();
    Result dec = cli(withSets("decrypt", "--dataset", dataset(), "--output", decrypted));
    assertEquals(0, dec.code, dec.toString());

    Result cmp = cli(withSets("compare", "--set", "input.path=" + csv, "--decrypted", decrypted));
    assertEquals(0, cmp.code, cmp.toString());
    // conf/sample.yaml drops the CVV: the decrypted copy has the input's other 11 columns.
    assertTrue(cmp.out.startsWith("IDENTICAL: 12 rows x 11 columns"), cmp.out);
    assertTrue(cmp.out.contains("dropped columns are absent (cvv)"), cmp.out);
  }

  @Test
  void aDatasetUnderAKeyOutsideKmsAllowedKeysIsRefusedWithExit1AndAMalformedEntryWithExit2() throws IOException {
    Path csv = smallCsv();
    String arn = createSampleKey();
    assertEquals(0, cli(encrypt("--set", "input.path=" + csv)).code);
    String other = "arn:aws:kms:local:000000000000:key/00000000-0000-4000-8000-000000000001";
    String out = tmp.resolve("dec").toString();

    Result dec = cli(withSets("decrypt", "--dataset", dataset(), "--output", out, "--set", "kms.allowedKeys=" + other));
    assertEquals(1, dec.code, dec.toString());
    assertEquals(1, dec.errLines().size(), dec.toString());
    assertTrue(dec.err.contains(": 2 DEKs are wrapped under master key " + arn + ", which kms.allowedKeys does not allow;"
        + " refused before any KMS call with a wrapped key"), dec.err);
    assertFalse(Files.exists(Path.of(out)));
    Result verify = cli(withSets("verify", "--dataset", dataset(), "--set", "kms.allowedKeys=" + other));
    assertEquals(1, verify.code, verify.toString());

    assertEquals(0, cli(withSets("decrypt", "--dataset", dataset(), "--output", out,
        "--set", "kms.allowedKeys=" + other + ",arn:aws:kms:local:000000000000:key/*")).code);

    Result bad = cli(withSets("verify", "--dataset", dataset(), "--set", "kms.allowedKeys=" + arn + ",not-a-key-arn"));
    assertEquals(2, bad.code, bad.toString());
    assertEquals(1, bad.errLines().size(), bad.toString());
    assertTrue(bad.err.contains("Cannot set kms.allowedKeys: entry 2 (13 characters) is not a key ARN"), bad.err);
    assertFalse(bad.err.contains("not-a-key-arn"), bad.err);
  }

  @Test
  void verifyOfATamperedDatasetExitsWith3() throws IOException {
    Path csv = smallCsv();
    createSampleKey();
    assertEquals(0, cli(encrypt("--set", "input.path=" + csv)).code);
    Path file;
    try (Stream<Path> s = Files.list(Path.of(dataset()))) {
      file = s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    Files.delete(file);
    Result verify = cli(withSets("verify", "--dataset", dataset()));
    assertEquals(3, verify.code, verify.toString());
    assertTrue(verify.out.contains("FINDING [missing-file] file " + file.getFileName()), verify.out);
    assertEquals("", verify.err);
  }

  @Test
  void aFailedJobExitsWith1AndOneFailedLine() throws IOException {
    Path csv = smallCsv();
    String arn = createSampleKey();
    assertEquals(0, cli("keys", "disable", "--keyring", keyring().toString(), "--key", "alias/columnseal-sample").code);
    Result r = cli(encrypt("--set", "input.path=" + csv));
    assertEquals(1, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal encrypt: failed: "), r.err);
    assertTrue(r.err.contains(arn), r.err);
    assertFalse(Files.exists(Path.of(dataset(), "_columnseal")), "nothing written");
  }

  @Test
  void aMalformedRowFailsWithItsFileAndLineAndNoValue() throws IOException {
    Path csv = smallCsv();
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    String card = lines.get(5).split(",")[0];
    lines.set(5, lines.get(5) + "," + card);
    Files.write(csv, lines);
    createSampleKey();
    Result r = cli(encrypt("--set", "input.path=" + csv));
    assertEquals(1, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal encrypt: failed: malformed CSV row in file:" + csv + " at line 6:"), r.err);
    assertFalse(r.err.contains(card) || r.out.contains(card), r.toString());
    assertTrue(ManifestStore.at(new org.apache.hadoop.fs.Path(dataset(), "_columnseal"), new Configuration())
        .read().isEmpty(), "no manifest commit");
  }

  @Test
  void aMissingInputOrAnUnknownKeyEndsWithOneLine() throws IOException {
    createSampleKey();
    Path missing = tmp.resolve("landing/*.csv");
    Result noInput = cli(encrypt("--set", "input.path=" + missing));
    assertEquals(2, noInput.code, noInput.toString());
    assertEquals(1, noInput.errLines().size(), noInput.toString());
    assertTrue(noInput.err.contains("Cannot read input.path " + missing), noInput.err);

    Result noKey = cli(encrypt("--set", "input.path=" + smallCsv(), "--set", "kms.key=alias/no-such-key"));
    assertEquals(1, noKey.code, noKey.toString());
    assertEquals(1, noKey.errLines().size(), noKey.toString());
    assertTrue(noKey.err.startsWith("columnseal encrypt: failed: ") && noKey.err.contains("alias/no-such-key"), noKey.err);
  }

  @Test
  void theSameInputAppendedAgainIsRefusedWithExit2UnlessAllowedAndAChangedFileIsNoRepeat() throws IOException {
    Path csv = smallCsv();
    createSampleKey();
    assertEquals(0, cli(encrypt("--set", "input.path=" + csv)).code);
    ManifestStore store = ManifestStore.at(new org.apache.hadoop.fs.Path(dataset(), "_columnseal"), new Configuration());
    String firstRun = store.read().orElseThrow().lastCommit().runId();

    Result again = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append"));
    assertEquals(2, again.code, again.toString());
    assertEquals(1, again.errLines().size(), again.toString());
    assertTrue(again.err.startsWith("columnseal encrypt: input.path " + csv + ": 1 of its 1 files were already "
        + "committed to dataset cards-sample by run " + firstRun + " (first: file:" + csv + ", same path, size and "
        + "modification time)"), again.err);
    assertTrue(again.err.contains("set output.allowRepeat=true if that is intended"), again.err);
    assertEquals(1, store.read().orElseThrow().version());

    Result allowed = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append",
        "--set", "output.allowRepeat=true"));
    assertEquals(0, allowed.code, allowed.toString());
    assertEquals(2, store.read().orElseThrow().version());

    // A new modification time: another file as far as the guard knows.
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(csv);
    Files.setLastModifiedTime(csv, java.nio.file.attribute.FileTime.fromMillis(mtime.toMillis() + 60_000));
    Result touched = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append"));
    assertEquals(0, touched.code, touched.toString());
    assertEquals(3, store.read().orElseThrow().version());

    // Another size with the old modification time: not a repeat either.
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    Files.write(csv, lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    Files.setLastModifiedTime(csv, mtime);
    Result shorter = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append"));
    assertEquals(0, shorter.code, shorter.toString());
    assertEquals(4, store.read().orElseThrow().version());

    // Refused before any KMS call: with the key disabled, a KMS call would fail the job with exit 1.
    assertEquals(0, cli("keys", "disable", "--keyring", keyring().toString(), "--key", "alias/columnseal-sample").code);
    Result refused = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append"));
    assertEquals(2, refused.code, refused.toString());
    assertTrue(refused.err.contains("already committed to dataset cards-sample by run "
        + store.read().orElseThrow().lastCommit().runId()), refused.err);
  }

  @Test
  void anAppendInAnotherCellEncodingExits2BeforeAnyKmsCallOrSparkJob() throws IOException {
    Path csv = smallCsv();
    createSampleKey();
    assertEquals(0, cli(encrypt("--set", "input.path=" + csv)).code);
    assertEquals(0, cli("keys", "disable", "--keyring", keyring().toString(), "--key", "alias/columnseal-sample").code);
    java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();
    org.apache.spark.scheduler.SparkListener counter = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    SharedSpark.session().sparkContext().addSparkListener(counter);
    Result r;
    try {
      r = cli(encrypt("--set", "input.path=" + csv, "--set", "output.mode=append", "--set", "output.allowRepeat=true",
          "--set", "encrypt.cellEncoding=base64"));
    } finally {
      SharedSpark.session().sparkContext().removeSparkListener(counter);
    }
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal encrypt: Cannot set encrypt.cellEncoding to base64: dataset cards-sample at "
        + dataset() + " stores its cells as binary"), r.err);
    assertEquals(0, jobs.get(), "no Spark job started");
  }

  @Test
  void decryptOfAFolderWithNoManifestFails() {
    Result r = cli(withSets("decrypt", "--dataset", tmp.toString(), "--output", tmp.resolve("dec").toString()));
    assertEquals(1, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal decrypt: failed: no columnseal manifest"), r.err);
  }

  @Test
  void decryptUnderADisabledKeyFailsOnTheDriverWithOneLineNamingTheKeyAndWritesNothing() throws IOException {
    String arn = createSampleKey();
    assertEquals(0, cli(encrypt("--set", "input.path=" + smallCsv())).code);
    assertEquals(0, cli("keys", "disable", "--keyring", keyring().toString(), "--key", "alias/columnseal-sample").code);
    io.columnseal.kms.KeyServices.evict(io.columnseal.kms.KeyServiceSpec.local(keyring().toString()));
    Path out = tmp.resolve("plain");
    Result r = cli(withSets("decrypt", "--dataset", dataset(), "--output", out.toString()));
    assertEquals(1, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err.startsWith("columnseal decrypt: failed: Decrypt on key "), r.err);
    assertTrue(r.err.contains("is Disabled"), r.err);
    assertTrue(r.err.contains("checked before reading any data: decrypt needs kms:Decrypt on master key " + arn), r.err);
    assertTrue(r.err.contains("; no output was written"), r.err);
    assertFalse(Files.exists(out), "no output folder");
  }

  @Test
  void decryptIntoOrOverTheDatasetIsAUsageErrorBeforeAnyKmsCall() throws IOException {
    createSampleKey();
    Path csv = smallCsv();
    assertEquals(0, cli(encrypt("--set", "input.path=" + csv)).code);
    List<String> before = listing(Path.of(dataset()));
    // With the key disabled any KMS call fails (exit 1): exit 2 shows the check came first.
    assertEquals(0, cli("keys", "disable", "--keyring", keyring().toString(), "--key", "alias/columnseal-sample").code);
    io.columnseal.kms.KeyServices.evict(io.columnseal.kms.KeyServiceSpec.local(keyring().toString()));
    String[][] cases = {
        {dataset(), "is the dataset " + dataset()},
        {dataset() + "/", "is the dataset " + dataset()},
        {"file://" + dataset() + "/./plain", "is inside the dataset " + dataset()},
        {dataset() + "/_columnseal/x", "is inside the dataset " + dataset()},
        {tmp.toString(), "holds the dataset " + dataset()},
        {csv + "/plain", "is inside the dataset's original input " + csv},
    };
    for (String[] c : cases) {
      Result r = cli(withSets("decrypt", "--dataset", dataset(), "--output", c[0], "--mode", "overwrite"));
      assertEquals(2, r.code, c[0] + ": " + r);
      assertEquals(1, r.errLines().size(), r.toString());
      assertTrue(r.err.startsWith("columnseal decrypt: --output " + c[0] + " " + c[1]), r.err);
      assertTrue(r.err.strip().endsWith("; write the plaintext somewhere else"), r.err);
    }
    assertEquals(before, listing(Path.of(dataset())), "the dataset is untouched");
    assertTrue(Files.exists(csv));
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p) + " " + p.toFile().length()).sorted().collect(Collectors.toList());
    }
  }

  // ---- helpers

  private Path keyring() {
    return tmp.resolve("local.keyring.json");
  }

  private String dataset() {
    return tmp.resolve("cards_enc").toString();
  }

  /** The sample spec with the keyring and output in this test's folder, then {@code args}. */
  private String[] withSets(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--config", SAMPLE,
        "--set", "kms.keyring=" + keyring(), "--set", "output.path=" + dataset(), "--set", "output.partitions=2"));
    all.addAll(Arrays.asList(args));
    return all.toArray(new String[0]);
  }

  private String[] encrypt(String... args) {
    return withSets("encrypt", args);
  }

  private String createSampleKey() {
    Result r = cli("keys", "create", "--keyring", keyring().toString(), "--alias", "columnseal-sample");
    assertEquals(0, r.code, r.toString());
    return arnIn(r.out);
  }

  /** The header and the first 12 rows of the bundled sample. */
  private Path smallCsv() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("data-samples/financial.csv"), StandardCharsets.UTF_8);
    return Files.write(tmp.resolve("small.csv"), lines.subList(0, 13), StandardCharsets.UTF_8);
  }

  private static String arnIn(String text) {
    Matcher m = ARN.matcher(text);
    assertTrue(m.find(), "no key ARN in: " + text);
    return m.group();
  }
}
