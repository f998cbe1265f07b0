package io.columnseal.cli;

import static io.columnseal.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process, with the launcher's logging config (conf/log4j2.properties): a task that
 * fails on a value ends in one line on stderr that holds neither the value nor a stack trace;
 * --verbose brings Spark's logs and the stack traces back; Ctrl-C (a JVM shutdown) says what
 * recovery will do (issue 10 item 9); keys create prints its result once (item 11).
 */
class CliProcessTest {
  @TempDir
  Path tmp;

  private Path keyring;
  private Path csv;
  private String card;

  @BeforeEach
  void keyAndInput() throws IOException {
    keyring = tmp.resolve("local.keyring.json");
    assertEquals(0, cli("keys", "create", "--keyring", keyring.toString(), "--alias", "columnseal-sample").code);
    List<String> lines = Files.readAllLines(Path.of("data-samples/financial.csv"), StandardCharsets.UTF_8);
    csv = Files.write(tmp.resolve("small.csv"), lines.subList(0, 13), StandardCharsets.UTF_8);
    card = lines.get(1).split(",")[0];
  }

  /** Univocity's error for a too-long field quotes the text parsed so far: the first row's card number. */
  @Test
  void aTaskFailingOnAValueIsOneLineWithoutTheValue() throws Exception {
    Child c = run(List.of(), encrypt("--set", "input.options.maxCharsPerColumn=15"));
    assertEquals(1, c.code, c.toString());
    // Besides the local keyring's own warning (ours, deliberate), only the failure line.
    assertEquals(List.of("columnseal encrypt: failed: a value could not be parsed or converted in a Spark task"
        + " (TextParsingException; its message is not shown as it may quote data; --verbose shows the stack trace)"),
        c.errLines().stream().filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d WARN LocalKeyring: Opened local keyring .*"))
            .collect(java.util.stream.Collectors.toList()), c.toString());
    assertFalse(c.err.contains(card.substring(0, 15)) || c.out.contains(card.substring(0, 15)), c.toString());
  }

  @Test
  void verboseBringsBackSparksLogsAndTheStackTrace() throws Exception {
    Child c = run(List.of(), encrypt("--set", "input.options.maxCharsPerColumn=15", "--verbose"));
    assertEquals(1, c.code, c.toString());
    assertTrue(c.err.contains("WARN TaskSetManager: Lost task"), c.toString());
    assertTrue(c.err.contains("\tat "), "a stack trace: " + c);
    assertTrue(c.err.contains(card.substring(0, 15)), "what Univocity says, as it says it");
    assertTrue(c.errLines().get(c.errLines().size() - 1).startsWith("columnseal encrypt: failed: a value could not"), c.err);
  }

  @Test
  void anInterruptedEncryptSaysWhatRecoveryWillDo() throws Exception {
    Path big = tmp.resolve("big.csv");
    assertEquals(0, cli("sample", "--rows", "400000", "--out", big.toString()).code);
    Path out = tmp.resolve("cards_enc");
    Process p = start(List.of(), encrypt("--set", "input.path=" + big, "--set", "output.partitions=8"));
    // The write has begun once the output folder exists; then stop the JVM as Ctrl-C does.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(out) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(p.isAlive(), "the job ended before it could be interrupted: " + read(tmp.resolve("child.err")));
    p.destroy();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String err = read(tmp.resolve("child.err"));
    assertNotEquals(0, p.exitValue(), err);
    assertTrue(err.contains("columnseal encrypt: interrupted; " + InterruptNotice.ENCRYPT + "\n"), err);
    assertTrue(io.columnseal.manifest.ManifestStore.at(new org.apache.hadoop.fs.Path(out.toString(), "_columnseal"),
        new org.apache.hadoop.conf.Configuration()).read().isEmpty(), "no manifest commit");
  }

  /** The keyring logged "Created key ..." at INFO next to the command's own "created ..." line. */
  @Test
  void keysCreatePrintsItsResultOnce() throws Exception {
    Path ring = tmp.resolve("other.keyring.json");
    Child c = run(List.of(), "keys", "create", "--keyring", ring.toString(), "--alias", "once");
    assertEquals(0, c.code, c.toString());
    assertTrue(c.out.matches("created arn:aws:kms:local:[0-9]{12}:key/[0-9a-f-]{36} \\(Enabled\\)\n"), c.toString());
    assertFalse(c.err.contains("Created key") || c.err.contains(" INFO "), c.toString());
    assertTrue(c.err.contains("WARN LocalKeyring: Opened local keyring"), "the local-only warning stays: " + c);
  }

  // ---- the child JVM

  private String[] encrypt(String... more) {
    List<String> args = new ArrayList<>(List.of("encrypt", "--config", "conf/sample.yaml",
        "--set", "kms.keyring=" + keyring, "--set", "output.path=" + tmp.resolve("cards_enc"),
        "--set", "output.partitions=2", "--set", "input.path=" + csv));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private Process start(List<String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.reflect")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath().toUri(),
        "-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
        "-Dspark.driver.bindAddress=127.0.0.1", "-cp", classPath(), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File(System.getProperty("user.dir")))
        .redirectOutput(tmp.resolve("child.out").toFile()).redirectError(tmp.resolve("child.err").toFile());
    pb.environment().remove(Logging.ENV);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  private Child run(List<String> env, String... args) throws Exception {
    Process p = start(env, args);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child did not finish");
    return new Child(p.exitValue(), read(tmp.resolve("child.out")), read(tmp.resolve("child.err")));
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  /** Surefire's test class path (its own java.class.path may be a manifest-only jar). */
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  private static final class Child {
    final int code;
    final String out;
    final String err;

    Child(int code, String out, String err) {
      this.code = code;
      this.out = out;
      this.err = err;
    }

    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).collect(java.util.stream.Collectors.toList());
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }
}
