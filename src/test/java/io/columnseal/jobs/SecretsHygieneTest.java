package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.TestKeys;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets hygiene, kept in the suite to guard later changes: encrypt (two runs failing on a
 * malformed row, with output.partitions and without, so read FAILFAST; one quarantining it),
 * verify and decrypt (one run failing on a tampered cell, one with --on-error null), and for a
 * page-mode dataset encrypt, verify, decrypt, rewrap with --sample-check decrypt and a decrypt
 * failing on a tampered page, run through the CLI in a child JVM with DEBUG logging for
 * io.columnseal and org.apache.spark and the Spark event log on. Then every log line, the event
 * log, the CLI's output and error lines, the manifest, the run summaries and the verify report
 * are searched for the sample's card numbers, CVVs, names and streets, for the DEKs' bytes and
 * for the master key's bytes (hex and base64): there must be none. A child JVM because the event
 * log and the logging set-up are fixed when a SparkContext starts, and the test JVM shares one.
 */
public class SecretsHygieneTest {
  private static final long TIMEOUT_SECONDS = 240;

  @TempDir
  public Path work;

  @Test
  public void noSecretInLogsEventLogManifestSummariesOrMessages() throws Exception {
    JobTestKit kit = new JobTestKit(work);
    List<String[]> sample = sampleRows();
    Path input = Files.createDirectories(work.resolve("landing")).resolve("cards.csv");
    // The sample plus a malformed row: a sample row with one field too many.
    String[] victim = sample.get(7);
    Files.writeString(input, Files.readString(Path.of(JobTestKit.SAMPLE_CSV), StandardCharsets.UTF_8)
        + String.join(",", quoteAll(victim)) + ",extra\n", StandardCharsets.UTF_8);
    writeConfig(kit, input);
    Path logFile = work.resolve("columnseal-debug.log");
    Path events = Files.createDirectories(work.resolve("events"));
    String probeSecret = "probe-" + UUID.randomUUID();
    String probeCredential = "probe-" + UUID.randomUUID();

    Process child = childJvm(logFile, events, probeSecret, probeCredential).start();
    if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      fail("the child JVM did not finish in " + TIMEOUT_SECONDS + " s; see " + logFile);
    }
    String stdout = Files.readString(work.resolve("child.out"), StandardCharsets.UTF_8);
    String stderr = Files.readString(work.resolve("child.err"), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), stdout + stderr);
    for (String step : List.of("encrypt-malformed 1", "encrypt-malformed-failfast 1", "encrypt-quarantine 0",
        "verify 0", "decrypt-tampered 1", "decrypt-null 0", "encrypt-page 0", "verify-page 0", "decrypt-page 0",
        "rewrap-page 0", "decrypt-page-tampered 1")) {
      assertTrue(stdout.contains("EXIT " + step), "step " + step + " in:\n" + stdout + "\n" + stderr);
    }

    // The run did what the scan relies on: task failures logged at DEBUG, in the event log, on stderr.
    String log = Files.readString(logFile, StandardCharsets.UTF_8);
    String eventLog = readAll(events);
    assertTrue(log.contains(" DEBUG org.apache.spark."), "Spark logged at DEBUG");
    for (String failure : List.of("malformed CSV row in ", "cannot decrypt column cvv in file ")) {
      assertTrue(stderr.contains(failure), "stderr shows " + failure + ":\n" + stderr);
      assertTrue(log.contains(failure), "the log shows " + failure);
      assertTrue(eventLog.contains(failure), "the event log shows " + failure);
    }
    assertTrue(stdout.contains("malformed rows quarantined (sealed, not in the dataset): 1"), stdout);
    assertTrue(stdout.contains("cells that did not decrypt, written as null (--on-error null): 1 cvv=1"), stdout);
    assertTrue(stdout.contains("page(s) decrypted with the new wrapping"), "page-mode rewrap's sample check:\n" + stdout);
    assertTrue(stderr.contains(" of dataset cards-hygiene does not decrypt: "), "page-mode failure:\n" + stderr);
    // Spark settings that may hold secrets are redacted in the event log (our regex for the credential).
    assertTrue(eventLog.contains("spark.hadoop.fs.s3a.secret.key") && eventLog.contains("spark.columnseal.probe.credential"),
        "the environment is in the event log");
    assertFalse(eventLog.contains(probeSecret) || eventLog.contains(probeCredential), "a secret setting is not redacted");

    Map<String, String> scanned = new LinkedHashMap<>();
    scanned.put("log " + logFile.getFileName(), log);
    scanned.put("event log", eventLog);
    scanned.put("CLI stdout", stdout);
    scanned.put("CLI stderr", stderr);
    scanned.put("manifest and run files", readAll(work.resolve("enc/_columnseal")));
    scanned.put("page-mode manifest and run files", readAll(work.resolve("enc-page/_columnseal")));
    assertTrue(scanned.get("page-mode manifest and run files").contains("\"cellEncoding\":\"page\""),
        "the page-mode manifest is scanned");
    assertTrue(scanned.get("manifest and run files").contains("\"findings\""), "the verify report is scanned");
    assertTrue(scanned.get("manifest and run files").contains("\"quarantinedRows\""), "the run summary is scanned");

    Map<String, String> needles = valueNeedles(sample);
    java.util.Set<String> cvvs = new java.util.HashSet<>();
    sample.forEach(r -> cvvs.add(r[3]));
    needles.putAll(keyNeedles(kit, work.resolve("enc").toString()));
    needles.putAll(keyNeedles(kit, work.resolve("enc-page").toString()));
    // Controls: the search finds values where they belong (the decrypted CSV) and key material
    // where it is kept (the keyring file), so a miss below is a real absence.
    for (String out : List.of("dec", "dec-page")) {
      String plain = readAll(work.resolve(out));
      long foundInPlain = needles.entrySet().stream().filter(e -> e.getKey().startsWith("value") && plain.contains(e.getValue())).count();
      assertTrue(foundInPlain > 2000, "the search finds values in the decrypted output " + out + " (" + foundInPlain + ")");
    }
    String keyring = Files.readString(kit.keyringFile, StandardCharsets.UTF_8);
    assertTrue(needles.entrySet().stream().anyMatch(e -> e.getKey().startsWith("master") && keyring.contains(e.getValue())),
        "the search finds the master key in the keyring file");

    List<String> hits = new ArrayList<>();
    for (Map.Entry<String, String> where : scanned.entrySet()) {
      String text = where.getValue();
      for (Map.Entry<String, String> needle : needles.entrySet()) {
        int at = text.indexOf(needle.getValue());
        if (at >= 0) {
          hits.add(needle.getKey() + " in " + where.getKey() + " at char " + at);
        }
      }
      Matcher cvv = CVV_SHAPE.matcher(text);
      while (cvv.find()) {
        // Quoted, it is a string value (cvv is a string column); bare, it may be a count of
        // cells ("cells encrypted: cvv=1000"), so it counts only if it is one of the sample's CVVs.
        if (isCvvLeak(cvv, cvvs)) {
          hits.add("a CVV-shaped value (" + cvv.group().replaceAll("\\d", "#") + ") in " + where.getKey() + " at char "
              + cvv.start());
        }
      }
    }
    assertEquals(List.of(), hits, "secrets found");
  }

  /**
   * A CVV is 3 or 4 digits, and such numbers fill any log by chance (ports, sizes, times), so a
   * bare number proves nothing. A leaked CVV shows by its context: after the column's name as
   * {@code cvv=559}, {@code cvv: 559}, {@code "cvv":"559"}, {@code cvv -> 559} or
   * {@code cvv=Some(559)}; or inside a leaked row, where the row's card number and name are
   * found anyway. A quoted value is always a hit; a bare one only if it is one of the sample's
   * CVVs, since our summaries write cell counts the same way ({@code cvv=1000}). Spark's
   * {@code cvv#123} is an attribute id, not a value, and is not matched.
   */
  private static final Pattern CVV_SHAPE =
      Pattern.compile("(?i)\\bcvv\\b[\"']?\\s*(?:=|:|->)\\s*(?:Some\\()?(?:([\"'])(\\d{3,4})\\1|(\\d{3,4}))(?!\\d)");

  private static boolean isCvvLeak(Matcher m, java.util.Set<String> sampleCvvs) {
    return m.group(1) != null || sampleCvvs.contains(m.group(3));
  }

  @Test
  public void theCvvRuleFindsValuesButNotCountsOrAttributeIds() {
    java.util.Set<String> sample = java.util.Set.of("559", "0375");
    for (String leak : List.of("cvv=559", "row {\"cvv\" : \"0375\"}", "CVV: 559,", "cvv -> Some(559)", "cvv='123'")) {
      Matcher m = CVV_SHAPE.matcher(leak);
      assertTrue(m.find() && isCvvLeak(m, sample), leak);
    }
    for (String clean : List.of("cells encrypted: cvv=1000", "\"cvv\" : 1000", "cvv#559", "cvv_hash=559x", "cvv 559")) {
      Matcher m = CVV_SHAPE.matcher(clean);
      assertFalse(m.find() && isCvvLeak(m, sample), clean);
    }
  }

  // ---- the child JVM

  private ProcessBuilder childJvm(Path logFile, Path events, String probeSecret, String probeCredential)
      throws IOException {
    Path log4j = work.resolve("log4j2-debug.properties");
    Files.writeString(log4j, String.join("\n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.file.ref = file",
        "appender.file.type = File",
        "appender.file.name = file",
        "appender.file.fileName = " + logFile,
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d %p %c: %m%n%ex",
        "logger.columnseal.name = io.columnseal",
        "logger.columnseal.level = debug",
        "logger.spark.name = org.apache.spark",
        "logger.spark.level = debug",
        ""), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.reflect")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of(
        "-Dlog4j2.configurationFile=" + log4j.toUri(),
        "-Dspark.master=local[2]",
        "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1",
        "-Dspark.driver.bindAddress=127.0.0.1",
        "-Dspark.eventLog.enabled=true",
        "-Dspark.eventLog.compress=false",
        "-Dspark.eventLog.dir=" + events.toUri(),
        "-Dspark.sql.shuffle.partitions=2",
        // Settings a user might pass that hold secrets: both must be redacted.
        "-Dspark.hadoop.fs.s3a.secret.key=" + probeSecret,
        "-Dspark.columnseal.probe.credential=" + probeCredential,
        "-cp", classPath(),
        SecretsHygieneRun.class.getName(), work.toString()));
    return new ProcessBuilder(cmd).directory(new File(System.getProperty("user.dir")))
        .redirectOutput(work.resolve("child.out").toFile()).redirectError(work.resolve("child.err").toFile());
  }

  /** Surefire's test class path (its own java.class.path may be a manifest-only jar). */
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  private void writeConfig(JobTestKit kit, Path input) throws IOException {
    Files.writeString(work.resolve("job.yaml"), String.join("\n",
        "dataset: cards-hygiene",
        "input:",
        "  path: " + input,
        "  format: csv",
        "  schema: '" + JobTestKit.SAMPLE_DDL + "'",
        "  options:",
        "    header: 'true'",
        "    quote: '\"'",
        "    escape: '\"'",
        "    dateFormat: yyyy-MM-dd",
        "    timestampFormat: 'yyyy-MM-dd HH:mm:ss'",
        "encrypt:",
        "  columns: [" + String.join(", ", JobTestKit.SENSITIVE) + "]",
        "kms:",
        "  provider: local",
        "  keyring: " + kit.keyringFile,
        "  key: alias/test",
        "output:",
        "  path: " + work.resolve("enc"),
        "  partitions: 2",
        ""), StandardCharsets.UTF_8);
    // The same job without output.partitions: the malformed row meets the FAILFAST read.
    Files.writeString(work.resolve("job-failfast.yaml"), Files.readString(work.resolve("job.yaml"), StandardCharsets.UTF_8)
        .replace("  partitions: 2\n", ""), StandardCharsets.UTF_8);
  }

  // ---- what is searched for

  /** Card numbers, names and streets of the sample, as text and as JSON would escape them. */
  private static Map<String, String> valueNeedles(List<String[]> rows) {
    Map<String, String> out = new LinkedHashMap<>();
    int n = 0;
    for (String[] r : rows) {
      n++;
      for (int i : new int[] {0, 1, 4}) {
        String v = r[i];
        if (v.length() >= 6) {
          out.put("value " + COLUMNS[i] + " of sample row " + n, v);
          if (v.contains("\"")) {
            out.put("value " + COLUMNS[i] + " (JSON-escaped) of sample row " + n, v.replace("\"", "\\\""));
          }
        }
      }
    }
    return out;
  }

  private static final String[] COLUMNS = {"card_number", "cardholder_name", "expiry", "cvv", "street_address"};

  /**
   * Every DEK of the manifest (unwrapped with the test's keyring) and every master key version
   * of the keyring file, as lower and upper hex, base64 with and without padding, URL-safe
   * base64, and Java's Arrays.toString.
   */
  private static Map<String, String> keyNeedles(JobTestKit kit, String dataset) {
    Map<String, String> out = new LinkedHashMap<>();
    ManifestState m = BadInputTest.manifest(dataset).read().orElseThrow();
    assertFalse(m.deks().isEmpty());
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      for (Commit c : m.history()) {
        for (DekRecord d : c.addedDeks()) {
          try (OpeningKey key = ring.decrypt(d.wrapped(), d.id(), d.context())) {
            addForms(out, "DEK " + d.id(), TestKeys.bytesOf(key));
          }
        }
      }
    }
    int v = 0;
    for (String material : masterMaterials(kit.keyringFile)) {
      addForms(out, "master key version " + ++v, Base64.getDecoder().decode(material));
    }
    return out;
  }

  private static void addForms(Map<String, String> out, String what, byte[] key) {
    String hex = HexFormat.of().formatHex(key);
    out.put(what + " (hex)", hex);
    out.put(what + " (HEX)", hex.toUpperCase(Locale.ROOT));
    String b64 = Base64.getEncoder().encodeToString(key);
    out.put(what + " (base64)", b64);
    out.put(what + " (base64, unpadded)", b64.replace("=", ""));
    out.put(what + " (base64url)", Base64.getUrlEncoder().withoutPadding().encodeToString(key));
    out.put(what + " (bytes)", Arrays.toString(key));
  }

  private static List<String> masterMaterials(Path keyring) {
    List<String> out = new ArrayList<>();
    try {
      for (com.fasterxml.jackson.databind.JsonNode key : RunSummaries.JSON.readTree(keyring.toFile()).get("keys")) {
        for (com.fasterxml.jackson.databind.JsonNode version : key.get("versions")) {
          out.add(version.get("material").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertFalse(out.isEmpty(), "the keyring holds master key material");
    return out;
  }

  /** The sample's rows as fields (RFC 4180: quotes doubled inside quoted fields), header left out. */
  private static List<String[]> sampleRows() throws IOException {
    List<String[]> rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(Path.of(JobTestKit.SAMPLE_CSV), StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      rows.add(splitCsv(line));
    }
    return rows;
  }

  public static String[] splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          f.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          f.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(f.toString());
        f.setLength(0);
      } else {
        f.append(c);
      }
    }
    fields.add(f.toString());
    return fields.toArray(new String[0]);
  }

  private static List<String> quoteAll(String[] fields) {
    return Arrays.stream(fields).map(v -> "\"" + v.replace("\"", "\"\"") + "\"").toList();
  }

  /** Every regular file under {@code root}, concatenated, decoded as UTF-8 (binary files too: the needles are text). */
  private static String readAll(Path root) throws IOException {
    StringBuilder all = new StringBuilder();
    if (!Files.exists(root)) {
      return "";
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        all.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).append('\n');
      }
    }
    return all.toString();
  }
}
