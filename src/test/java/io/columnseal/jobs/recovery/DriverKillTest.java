package io.columnseal.jobs.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.columnseal.cli.Main;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StallingFs;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.encrypt.RunScopedCommitter;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.ManifestState;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real driver killed (SIGKILL) at the steps of its commit. The partitioned cases hold the child
 * at one step with {@link StallingFs} and kill it there; recovery must then commit all of the
 * run's rows or none. The first case below needs no hook:
 * a real driver killed between its data commit and its manifest commit. The encrypt
 * runs in a child JVM as {@code jobs/columnseal} runs it in local mode (io.columnseal.cli.Main,
 * {@code local[2]}); the test watches the dataset folder and kills the child as soon as the
 * run's pending record and both of its data files are there. Nothing in the job knows about
 * the test: the window is the real one, between the committer's last move and the manifest's
 * create-if-absent. A kill that lands after the manifest commit is a miss; the test then tries
 * again on a fresh copy of the dataset (at most {@link #ATTEMPTS} times) and prints its hit rate.
 *
 * <p>Then, on copies of the killed dataset: verify exits 3 naming the run and its files, decrypt
 * refuses naming the run, and {@code columnseal recover}, the next append and, separately, the
 * next overwrite each recover the run: verify passes and decrypt is exact.
 */
public class DriverKillTest {
  private static final int ATTEMPTS = 4;
  private static final String DATASET = "cards-kill";
  /** Four card types: each task of a partitioned write writes several files. */
  private static final String PARTITION = "card_type";

  @TempDir
  Path tmp;

  @Test
  void aDriverKilledBetweenDataAndManifestCommitIsReportedRefusedAndRecovered() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    List<Path> parts = splitSample(tmp, 400, 700);
    Path base = tmp.resolve("base");
    EncryptJob.run(JobTestKit.spark(), settings(kit, parts.get(0), base, OutputMode.ERROR).build());
    Set<String> baseFiles = OutputModesTest.state(base.toString()).liveFiles();

    Path killed = null;
    String deadRun = null;
    int attempt = 0;
    List<String> outcomes = new ArrayList<>();
    while (killed == null && attempt < ATTEMPTS) {
      attempt++;
      Path target = copy(base, tmp.resolve("attempt-" + attempt));
      String outcome = killDuringCommit(kit, parts.get(1), target, baseFiles, attempt);
      outcomes.add(outcome);
      if (outcome.startsWith("hit")) {
        killed = target;
        deadRun = outcome.substring("hit ".length());
      }
    }
    System.out.println("DriverKillTest: kill landed in the window on attempt " + attempt + " of " + ATTEMPTS
        + "; outcomes " + outcomes);
    assertTrue(killed != null, "no kill landed between the data commit and the manifest commit: " + outcomes);
    String dead = deadRun;

    // verify: exit 3, the unfinished run and its two files.
    Path report = tmp.resolve("verify.json");
    int code = Main.run("verify", "--dataset", killed.toString(), "--report", report.toString(),
        "--set", "kms.provider=local", "--set", "kms.keyring=" + kit.keyringFile);
    assertEquals(3, code);
    JsonNode findings = new ObjectMapper().readTree(report.toFile()).get("findings");
    assertEquals(1, count(findings, "incomplete-run", dead), findings.toString());
    assertEquals(2, count(findings, "unrecorded-file", "part-"), findings.toString());

    // decrypt: refused, naming the run.
    String victim = killed.toString();
    DatasetException refused = assertThrows(DatasetException.class, () -> DecryptJob.run(JobTestKit.spark(),
        kit.decryptTo(victim, tmp.resolve("refused").toString(), "parquet")));
    assertTrue(refused.getMessage().contains(dead) && refused.getMessage().contains("incomplete"), refused.getMessage());

    // columnseal recover finishes it on its own; verify is then clean.
    Path recoveredByCli = copy(killed, tmp.resolve("recovered"));
    assertEquals(0, Main.run("recover", "--dataset", recoveredByCli.toString()));
    assertEquals(0, Main.run("verify", "--dataset", recoveredByCli.toString(), "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile, "--set", "encrypt.columns=" + String.join(",", JobTestKit.SENSITIVE)));
    assertEquals(2, OutputModesTest.state(recoveredByCli.toString()).version());

    // The next append recovers the dead run first: the rows of all three runs.
    Path appended = copy(killed, tmp.resolve("appended"));
    RunSummary append = EncryptJob.run(JobTestKit.spark(), settings(kit, parts.get(2), appended, OutputMode.APPEND).build());
    assertEquals(RecoveredRun.RECOVERED, append.recovered.get(0).outcome, append.toTerminal());
    assertEquals(dead, append.recovered.get(0).runId);
    assertEquals(300, append.recovered.get(0).rows);
    assertClean(kit, appended);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, appended.toString(), "parquet")));

    // The next overwrite recovers it too (the history keeps it), then replaces everything.
    Path overwritten = copy(killed, tmp.resolve("overwritten"));
    RunSummary overwrite = EncryptJob.run(JobTestKit.spark(),
        settings(kit, parts.get(2), overwritten, OutputMode.OVERWRITE).build());
    assertEquals(RecoveredRun.RECOVERED, overwrite.recovered.get(0).outcome, overwrite.toTerminal());
    ManifestState m = OutputModesTest.state(overwritten.toString());
    Commit recovered = m.history().get(1);
    assertEquals(dead, recovered.runId());
    assertEquals("recovered", recovered.operation().get("mode"));
    assertEquals(300L, recovered.stats().get("rows"));
    assertClean(kit, overwritten);
    assertEquals(JobTestKit.sorted(csv(parts.get(2))),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, overwritten.toString(), "parquet")));
  }

  /**
   * A partitioned append (each of its two tasks writes one file per card type) whose driver is
   * SIGKILLed while {@link StallingFs} holds it at one step of the commit. Whatever the step, the
   * run's 300 rows end up all committed or none: recover says which (exit 0 or 1), verify is
   * clean after it, the decrypted rows are exact, and the next run duplicates nothing.
   */
  @ParameterizedTest(name = "killed {0}")
  @CsvSource({
      "before any task commit, task-commit, 0, false",
      "among task commits, task-commit, 1, false",
      "mid job commit, job-commit, 3, true",
      "after the job commit and before the manifest commit, job-committed, 0, true"})
  void aPartitionedRunKilledAtAnyStepIsAllOrNothing(String when, String point, int after, boolean recovered)
      throws Exception {
    killPartitionedAppendAndSettle(point, after, recovered);
  }

  /** The case reported on main: the kill lands as soon as the pending record appears (no stall). */
  @Test
  void aPartitionedRunKilledWhenItsPendingRecordAppearsIsCommittedWhole() throws Exception {
    killPartitionedAppendAndSettle(null, 0, true);
  }

  private void killPartitionedAppendAndSettle(String point, int after, boolean recovered) throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    List<Path> parts = splitSample(tmp, 400, 700);
    Path dataset = tmp.resolve("cards");
    EncryptJob.run(JobTestKit.spark(), settings(kit, parts.get(0), dataset, OutputMode.ERROR)
        .partitionBy(List.of(PARTITION)).build());

    Path marker = tmp.resolve("stalled");
    List<String> jvm = point == null ? List.of() : List.of("-Dspark.hadoop.fs.file.impl=" + StallingFs.class.getName(),
        "-Dspark.hadoop.fs.file.impl.disable.cache=true", "-Dspark.hadoop." + StallingFs.POINT_KEY + "=" + point,
        "-Dspark.hadoop." + StallingFs.AFTER_KEY + "=" + after, "-Dspark.hadoop." + StallingFs.MARKER_KEY + "=" + marker);
    List<String> set = new ArrayList<>(setArgs(kit, parts.get(1), dataset, OutputMode.APPEND));
    set.add("output.partitionBy=" + PARTITION);
    Path log = tmp.resolve("child.log");
    Process child = childJvm(jvm, set).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path pending = dataset.resolve("_columnseal/_pending");
    boolean fired = false;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (child.isAlive() && System.nanoTime() < deadline) {
      if (point == null ? !records(pending).isEmpty() : Files.exists(marker)) {
        child.destroyForcibly();
        fired = true;
        break;
      }
      Thread.onSpinWait();
    }
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not stop; see " + log);
    assertTrue(fired, "the child was not killed at " + point + " (exit " + child.exitValue() + "; see " + log + ")");
    List<String> claims = records(dataset.resolve("_columnseal/_writing"));
    assertEquals(1, claims.size(), "the run's write claim: " + claims);
    String dead = claims.get(0);
    assertEquals(recovered, records(pending).contains(dead), "a pending record exists once the data commit starts");
    assertEquals(1, OutputModesTest.state(dataset.toString()).version(), "killed before its manifest commit");
    long waiting = filesUnder(dataset.resolve("_temporary"));

    // verify names what the dead run left under _temporary.
    Path report = tmp.resolve("verify.json");
    assertEquals(3, Main.run("verify", "--dataset", dataset.toString(), "--report", report.toString(), "--set",
        "kms.provider=local", "--set", "kms.keyring=" + kit.keyringFile));
    JsonNode findings = new ObjectMapper().readTree(report.toFile()).get("findings");
    if (waiting > 0) {
      assertEquals(1, count(findings, "temporary-files", "_temporary/" + RunScopedCommitter.attemptOf(dead) + " holds "
          + waiting + " file(s)"), findings.toString());
    }

    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    int code;
    System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      code = Main.run("recover", "--dataset", dataset.toString());
    } finally {
      System.setOut(stdout);
    }
    String said = out.toString(StandardCharsets.UTF_8);
    System.out.print(said);
    List<String> newFiles = new ArrayList<>(DatasetFiles.dataFiles(new Configuration(),
        new org.apache.hadoop.fs.Path(dataset.toString())));
    newFiles.removeAll(OutputModesTest.state(dataset.toString()).history().get(0).files());
    if (recovered) {
      assertEquals(0, code, said);
      assertTrue(said.contains("recovered run " + dead + ": all " + newFiles.size() + " files / 300 rows committed"), said);
      assertTrue(newFiles.size() > 2, "several files per task: " + newFiles);
    } else {
      assertEquals(1, code, said);
      assertTrue(said.contains("dropped run " + dead + ": its data never fully arrived; removed " + waiting
          + " files, re-run the input"), said);
      assertEquals(List.of(), newFiles);
    }
    assertEquals(0, Main.run("verify", "--dataset", dataset.toString(), "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile, "--set", "encrypt.columns=" + String.join(",", JobTestKit.SENSITIVE)));
    assertFalse(Files.exists(dataset.resolve("_temporary")), "the run's work folder is gone");
    assertEquals(List.of(), records(pending));
    assertEquals(List.of(), records(dataset.resolve("_columnseal/_writing")));
    Dataset<Row> expected = recovered ? csv(parts.get(0)).union(csv(parts.get(1))) : csv(parts.get(0));
    assertEquals(rows(expected), rows(EncryptDecryptRoundTripTest.decrypt(kit, dataset.toString(), "parquet")));

    // Re-running a dropped run's input, or appending the next input after a recovered one,
    // leaves every row exactly once.
    Path nextInput = recovered ? parts.get(2) : parts.get(1);
    RunSummary next = EncryptJob.run(JobTestKit.spark(), settings(kit, nextInput, dataset, OutputMode.APPEND)
        .partitionBy(List.of(PARTITION)).build());
    assertNull(next.recovered, next.toTerminal());
    assertClean(kit, dataset);
    expected = recovered ? JobTestKit.sampleInput() : csv(parts.get(0)).union(csv(parts.get(1)));
    assertEquals(rows(expected), rows(EncryptDecryptRoundTripTest.decrypt(kit, dataset.toString(), "parquet")));
  }

  /**
   * Runs an append in a child JVM and SIGKILLs it when the pending record and two new data
   * files are in {@code dataset}. Returns "hit RUN" when the manifest was still at version 1
   * with the record in place, else what happened.
   */
  private String killDuringCommit(JobTestKit kit, Path input, Path dataset, Set<String> baseFiles, int attempt)
      throws IOException, InterruptedException {
    Path log = tmp.resolve("child-" + attempt + ".log");
    Process child = childEncrypt(kit, input, dataset).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path pending = dataset.resolve("_columnseal/_pending");
    boolean fired = false;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (child.isAlive() && System.nanoTime() < deadline) {
      if (names(pending).stream().anyMatch(n -> n.endsWith(".json") && !n.startsWith("."))
          && names(dataset).stream().filter(n -> n.startsWith("part-") && !baseFiles.contains(n)).count() >= 2) {
        child.destroyForcibly();
        fired = true;
        break;
      }
      Thread.onSpinWait();
    }
    if (!child.waitFor(30, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the child did not stop; see " + log);
    }
    if (!fired) {
      return "not fired (child exited " + child.exitValue() + "; see " + log + ")";
    }
    ManifestState m = OutputModesTest.state(dataset.toString());
    List<String> records = names(pending).stream().filter(n -> n.endsWith(".json") && !n.startsWith(".")).toList();
    if (m.version() == 1 && records.size() == 1) {
      return "hit " + records.get(0).replace(".json", "");
    }
    return "late (manifest version " + m.version() + ", pending " + records + ")";
  }

  /** {@code jobs/columnseal encrypt} in local mode, as the launcher starts it without SPARK_HOME. */
  private ProcessBuilder childEncrypt(JobTestKit kit, Path input, Path dataset) {
    return childJvm(List.of(), setArgs(kit, input, dataset, OutputMode.APPEND));
  }

  private ProcessBuilder childJvm(List<String> jvmOptions, List<String> settings) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptions().split(" ")));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.bindAddress=127.0.0.1",
        "-Dspark.driver.host=127.0.0.1", "-cp", System.getProperty("java.class.path"), "io.columnseal.cli.Main", "encrypt"));
    for (String kv : settings) {
      cmd.add("--set");
      cmd.add(kv);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }

  private static List<String> setArgs(JobTestKit kit, Path input, Path dataset, OutputMode mode) {
    List<String> kv = new ArrayList<>(List.of("dataset=" + DATASET, "input.path=" + input, "input.format=csv",
        "input.schema=" + JobTestKit.SAMPLE_DDL, "encrypt.columns=" + String.join(",", JobTestKit.SENSITIVE),
        "kms.provider=local", "kms.key=alias/test", "kms.keyring=" + kit.keyringFile, "output.path=" + dataset,
        "output.mode=" + mode.name().toLowerCase(), "output.partitions=2"));
    JobTestKit.CSV_OPTIONS.forEach((k, v) -> kv.add("input.options." + k + "=" + v));
    return kv;
  }

  private static EncryptSettings.Builder settings(JobTestKit kit, Path input, Path dataset, OutputMode mode) {
    return kit.sampleCsv(dataset.toString()).datasetId(DATASET).inputPath(input.toString()).mode(mode).partitions(2);
  }

  /** The sample CSV cut into three files at the given data lines, each with the header. */
  private static List<Path> splitSample(Path dir, int... cuts) throws IOException {
    List<String> lines = Files.readAllLines(Paths.get(JobTestKit.SAMPLE_CSV), StandardCharsets.UTF_8);
    List<Path> out = new ArrayList<>();
    int from = 1;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] + 1 : lines.size();
      List<String> part = new ArrayList<>(List.of(lines.get(0)));
      part.addAll(lines.subList(from, to));
      Path p = dir.resolve("part" + i + ".csv");
      Files.write(p, part, StandardCharsets.UTF_8);
      out.add(p);
      from = to;
    }
    return out;
  }

  private static Dataset<Row> csv(Path file) {
    return JobTestKit.spark().read().options(JobTestKit.CSV_OPTIONS).schema(JobTestKit.SAMPLE_DDL).csv(file.toString());
  }

  private static void assertClean(JobTestKit kit, Path dataset) {
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(dataset.toString(), null, kit.keys, false, 3,
        JobTestKit.SENSITIVE, null));
    assertTrue(r.ok(), r.toTerminal());
  }

  /** Rows in the input's column order (a partition column comes back last), sorted. */
  private static List<Row> rows(Dataset<Row> df) {
    String[] cols = JobTestKit.sampleInput().columns();
    return JobTestKit.sorted(df.selectExpr(cols));
  }

  /** Run ids of the records in a {@code _columnseal} records folder. */
  private static List<String> records(Path dir) throws IOException {
    return names(dir).stream().filter(n -> n.endsWith(".json") && !n.startsWith(".")).map(n -> n.replace(".json", ""))
        .toList();
  }

  /** Files under a folder, hidden checksum files aside. */
  private static long filesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).count();
    }
  }

  private static long count(JsonNode findings, String check, String text) {
    long n = 0;
    for (JsonNode f : findings) {
      if (f.get("check").asText().equals(check) && f.get("message").asText().contains(text)) {
        n++;
      }
    }
    return n;
  }

  private static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A copy of a dataset folder (data, manifest, pending records), as another place would see it. */
  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.naturalOrder())::iterator) {
        Path target = to.resolve(from.relativize(p).toString().replace(File.separatorChar, '/'));
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
