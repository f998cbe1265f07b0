package io.columnseal.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on this machine: a Master and one Worker JVM per host name given,
 * each Worker with one core, launching real executor JVMs from {@link SparkHome}'s jars.
 *
 * <p>Why not {@code local-cluster[n,c,m]}: its Workers all share one host name, and Spark
 * never launches a speculative copy of a task on a host that already runs an attempt of it
 * (TaskSetManager's hasAttemptOnHost), so it cannot speculate. Here each Worker gets its own
 * host name for the same loopback address ("localhost", "127.0.0.1"), which Spark counts as
 * two hosts. Everything listens on 127.0.0.1 only.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://\\S+)");
  private static final long START_SECONDS = 120;

  private final List<Process> processes = new ArrayList<>();
  private final Path masterLog;
  // Stops the cluster if the test JVM exits without closing it.
  private final Thread stopOnExit = new Thread(this::stopProcesses);
  private String masterUrl;

  private StandaloneCluster(Path dir) {
    this.masterLog = dir.resolve("master.log");
  }

  /** Starts the Master, then one Worker per host name; returns once all Workers registered. */
  static StandaloneCluster start(SparkHome spark, Path dir, List<String> workerHosts)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    StandaloneCluster c = new StandaloneCluster(dir);
    Runtime.getRuntime().addShutdownHook(c.stopOnExit);
    try {
      c.launch(spark, "org.apache.spark.deploy.master.Master",
          List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"), c.masterLog);
      c.masterUrl = c.awaitInLog(c.masterLog, MASTER_URL, 1, "the Master to start");
      for (int i = 0; i < workerHosts.size(); i++) {
        Path workDir = Files.createDirectories(dir.resolve("worker-" + i));
        c.launch(spark, "org.apache.spark.deploy.worker.Worker",
            List.of("--host", workerHosts.get(i), "--port", "0", "--webui-port", "0", "--cores", "1",
                "--memory", "1g", "--work-dir", workDir.toString(), c.masterUrl),
            dir.resolve("worker-" + i + ".log"));
      }
      c.awaitInLog(c.masterLog, Pattern.compile("Registering worker (\\S+)"), workerHosts.size(),
          workerHosts.size() + " workers to register");
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  String masterUrl() {
    return masterUrl;
  }

  private void launch(SparkHome spark, String mainClass, List<String> args, Path log) throws IOException {
    // Spark's daemons run in small heaps; executors get spark.executor.memory.
    Process p = spark.java("256m", mainClass, args)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    processes.add(p);
  }

  /** Waits until {@code log} has {@code count} lines matching {@code pattern}; returns the last one's group 1. */
  private String awaitInLog(Path log, Pattern pattern, int count, String what) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline) {
      String found = null;
      int seen = 0;
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            seen++;
            found = m.group(1);
          }
        }
      }
      if (seen >= count) {
        return found;
      }
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster JVM exited with " + p.exitValue() + " while waiting for " + what
              + "; see the logs beside " + log);
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("timed out after " + START_SECONDS + " s waiting for " + what + "; see " + log);
  }

  /** Stops the Workers (and the executors they launched), then the Master. */
  @Override
  public void close() {
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException alreadyExiting) {
      // The hook is running or has run.
    }
  }

  private synchronized void stopProcesses() {
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    processes.clear();
  }
}
