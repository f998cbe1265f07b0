package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.columnseal.testing.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rewrap} and {@code manifest log} from the command line: output and exit codes. */
class RewrapCommandTest {
  private static final Pattern ARN = Pattern.compile("arn:aws:kms:local:000000000000:key/[0-9a-f-]{36}");

  @TempDir
  static Path shared;
  private static String keyA;
  private static String keyB;

  @TempDir
  Path tmp;
  private String ring;
  private String enc;

  /** What one command printed and returned. */
  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static String arnIn(String text) {
    Matcher m = ARN.matcher(text);
    assertTrue(m.find(), text);
    return m.group();
  }

  /** Two keys and the sample encrypted under the first (4 DEKs), all through the CLI. */
  @BeforeAll
  static void encrypt() {
    SharedSpark.session(); // the encrypt command's getOrCreate finds the test session
    String keyring = shared.resolve("ring.json").toString();
    keyA = arnIn(cli("keys", "create", "--keyring", keyring, "--alias", "cards").out());
    keyB = arnIn(cli("keys", "create", "--keyring", keyring, "--alias", "cards-next").out());
    Run r = cli("encrypt", "--config", "conf/sample.yaml", "--set", "kms.keyring=" + keyring,
        "--set", "kms.key=alias/cards", "--set", "output.path=" + shared.resolve("enc"),
        "--set", "output.partitions=4");
    assertEquals(0, r.code(), r.err());
  }

  @BeforeEach
  void copy() throws IOException {
    ring = tmp.resolve("ring.json").toString();
    enc = tmp.resolve("enc").toString();
    Files.copy(shared.resolve("ring.json"), Path.of(ring));
    try (Stream<Path> paths = Files.walk(shared.resolve("enc"))) {
      for (Path p : paths.toList()) {
        Path target = tmp.resolve("enc").resolve(shared.resolve("enc").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Run rewrap(String... extra) {
    List<String> args = new ArrayList<>(List.of("rewrap", "--dataset", enc, "--set", "kms.provider=local",
        "--set", "kms.keyring=" + ring));
    args.addAll(List.of(extra));
    return cli(args.toArray(new String[0]));
  }

  @Test
  void rewrapCommitsAndManifestLogShowsTheRotation() throws Exception {
    Run dry = rewrap("--to-key", "alias/cards-next", "--dry-run");
    assertEquals(0, dry.code(), dry.err());
    assertTrue(dry.out().contains("dry run, nothing changed") && dry.out().contains("4 DEK(s) are under " + keyA),
        dry.out());

    Run r = rewrap("--to-key", "alias/cards-next", "--concurrency", "2", "--max-rate", "50");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("4 DEK(s) now under " + keyB + " (manifest version 2"), r.out());
    assertTrue(r.out().contains("4 DEK(s) were under " + keyA), r.out());
    assertTrue(r.out().contains("sample check: 4 DEK(s) whose new wrapping KMS unwrapped (ReEncrypt to the target key)"),
        r.out());

    Run log = cli("manifest", "log", "--dataset", enc);
    assertEquals(0, log.code(), log.err());
    assertTrue(log.out().contains("2 commit(s)"), log.out());
    assertTrue(log.out().lines().anyMatch(l -> l.matches("\\s+1\\s+\\S+\\s+ENCRYPT\\s+.*\\s+4\\s+0\\s+4\\s+0\\s+1,000\\s+no")),
        log.out());
    assertTrue(log.out().lines().anyMatch(l -> l.matches("\\s+2\\s+\\S+\\s+REWRAP\\s+.*\\s+0\\s+4\\s+0\\s+0\\s+-\\s+no")),
        log.out());
    assertTrue(log.out().contains("4 DEK(s) under " + keyA), log.out());
    assertTrue(log.out().contains("4 DEK(s) " + keyA + " -> " + keyB), log.out());

    Run json = cli("manifest", "log", "--dataset", enc, "--json");
    assertEquals(0, json.code(), json.err());
    JsonNode commits = new ObjectMapper().readTree(json.out()).get("commits");
    assertEquals(2, commits.size());
    assertEquals("REWRAP", commits.get(1).get("kind").asText());
    assertEquals(4, commits.get(1).get("deksRewrapped").asInt());
    assertEquals(List.of(keyA, keyB).stream().sorted().toList(),
        List.of(commits.get(1).get("keyArns").get(0).asText(), commits.get(1).get("keyArns").get(1).asText()));
  }

  @Test
  void manifestCheckpointWritesOneAtTheHeadAndTheDatasetStillDecrypts() {
    String[] keys = {"--set", "kms.provider=local", "--set", "kms.keyring=" + ring};
    String before = tmp.resolve("dec-before").toString();
    String after = tmp.resolve("dec-after").toString();
    Run d1 = cli(concat(new String[] {"decrypt", "--dataset", enc, "--output", before}, keys));
    assertEquals(0, d1.code(), d1.err());

    Run cp = cli("manifest", "checkpoint", "--dataset", enc);
    assertEquals(0, cp.code(), cp.err());
    assertTrue(cp.out().startsWith("manifest checkpoint of version 1 written: ")
        && cp.out().endsWith("/enc/_columnseal/checkpoints/00000000000000000001.json\n"), cp.out());
    assertTrue(Files.isRegularFile(Path.of(enc, "_columnseal", "checkpoints", "00000000000000000001.json")));

    Run d2 = cli(concat(new String[] {"decrypt", "--dataset", enc, "--output", after}, keys));
    assertEquals(0, d2.code(), d2.err());
    var spark = SharedSpark.session();
    List<org.apache.spark.sql.Row> rows = spark.read().parquet(before).collectAsList();
    assertEquals(1000, rows.size());
    assertEquals(sortedRows(rows), sortedRows(spark.read().parquet(after).collectAsList()));

    Run none = cli("manifest", "checkpoint", "--dataset", tmp.resolve("nothing").toString());
    assertEquals(1, none.code(), none.out());
    assertTrue(none.err().contains("no columnseal manifest at "), none.err());
  }

  @Test
  void rewrapLeavesACheckpointUnlessTheIntervalIsZero() {
    Path checkpoint = Path.of(enc, "_columnseal", "checkpoints", "00000000000000000002.json");
    Run bad = rewrap("--to-key", "alias/cards-next", "--set", "manifest.checkpointInterval=-1");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("Cannot set manifest.checkpointInterval to -1: the value must be a whole number of "
        + "commits between checkpoints, 0 for none (default 10)"), bad.err());

    Run never = rewrap("--to-key", "alias/cards-next", "--set", "manifest.checkpointInterval=0");
    assertEquals(0, never.code(), never.err());
    assertFalse(Files.exists(checkpoint), "interval 0: no checkpoint");
    Run again = rewrap("--to-key", "alias/cards");
    assertEquals(0, again.code(), again.err());
    assertTrue(Files.isRegularFile(Path.of(enc, "_columnseal", "checkpoints", "00000000000000000003.json")),
        "after a REWRAP commit by default");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<String> sortedRows(List<org.apache.spark.sql.Row> rows) {
    return rows.stream().map(Object::toString).sorted().toList();
  }

  @Test
  void badOptionsAndConfigurationExitWithTwo() {
    Run rate = rewrap("--to-key", "alias/cards-next", "--max-rate", "0");
    assertEquals(2, rate.code());
    assertTrue(rate.err().contains("Cannot set --max-rate to 0.0: the value must be a number of DEKs per second"),
        rate.err());
    Run threads = rewrap("--to-key", "alias/cards-next", "--concurrency", "0");
    assertEquals(2, threads.code());
    assertTrue(threads.err().contains("--concurrency"), threads.err());
    assertEquals(2, rewrap().code(), "--to-key is required");
    Run provider = cli("rewrap", "--dataset", enc, "--to-key", "alias/cards-next");
    assertEquals(2, provider.code());
    assertTrue(provider.err().contains("kms.provider"), provider.err());
    Run check = rewrap("--to-key", "alias/cards-next", "--sample-check", "some");
    assertEquals(2, check.code());
    assertTrue(check.err().contains("--sample-check") && check.err().contains("reencrypt, decrypt or none"), check.err());
    Run both = rewrap("--to-key", "alias/cards-next", "--sample-check", "decrypt", "--skip-sample-check");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("--skip-sample-check contradicts --sample-check decrypt"), both.err());
    Run unknown = rewrap("--to-key", "alias/cards-next", "--set", "kms.keyrng=x");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("did you mean kms.keyring?"), unknown.err());
  }

  @Test
  void sampleCheckDecryptOpensCellsAndSkipSampleCheckIsNone() throws Exception {
    Run decrypt = rewrap("--to-key", "alias/cards-next", "--sample-check", "decrypt");
    assertEquals(0, decrypt.code(), decrypt.err());
    assertTrue(decrypt.out().matches("(?s).*sample check: 4 DEK\\(s\\), \\d+ cell\\(s\\) decrypted with the new wrapping.*"),
        decrypt.out());
    Run skip = rewrap("--to-key", "alias/cards", "--skip-sample-check");
    assertEquals(0, skip.code(), skip.err());
    assertTrue(skip.out().contains("sample check: SKIPPED (--sample-check none)"), skip.out());
    assertTrue(skip.err().contains("WARNING: --sample-check none"), skip.err());
    JsonNode commits = new ObjectMapper().readTree(cli("manifest", "log", "--dataset", enc, "--json").out())
        .get("commits");
    assertEquals(3, commits.size(), "both rewraps committed");
  }

  @Test
  void aFailedRewrapExitsWithOneAndNamesTheCause() {
    Run missing = rewrap("--to-key", "alias/nowhere");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("columnseal rewrap: failed: DescribeKey on key alias/nowhere"), missing.err());

    assertEquals(0, cli("keys", "disable", "--keyring", ring, "--key", "alias/cards").code());
    Run disabled = rewrap("--to-key", "alias/cards-next");
    assertEquals(1, disabled.code());
    assertTrue(disabled.err().contains("4 of 4 DEK(s) failed") && disabled.err().contains("KeyDisabledException"),
        disabled.err());
    assertTrue(disabled.out().contains("FAILED, nothing committed (manifest still at version 1)"), disabled.out());

    Run log = cli("manifest", "log", "--dataset", enc);
    assertTrue(log.out().contains("1 commit(s)"), log.out());
    Run nothing = cli("manifest", "log", "--dataset", tmp.resolve("nothing").toString());
    assertEquals(1, nothing.code());
    assertTrue(nothing.err().contains("no columnseal manifest"), nothing.err());
  }
}
