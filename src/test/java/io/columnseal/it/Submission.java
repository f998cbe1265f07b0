package io.columnseal.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code spark-submit} of the job jar, through Spark's real entry point
 * ({@code org.apache.spark.deploy.SparkSubmit}) in a child JVM, as bin/spark-submit runs it.
 * The driver binds to 127.0.0.1; stdout and stderr go to files in the work folder.
 */
final class Submission {
  private static final long TIMEOUT_MINUTES = 5;
  static final String MAIN_CLASS = "io.columnseal.cli.Main";

  /** What a run left behind. */
  record Result(String name, int exitCode, String stdout, Path stderr) {
    /** The last lines of stderr, for a failure message. */
    String tail() {
      try {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        return "(cannot read " + stderr + ": " + e + ")";
      }
    }

    String describe() {
      return name + " exited " + exitCode + "\n--- stdout\n" + stdout + "\n--- end of " + stderr + "\n" + tail();
    }
  }

  private final SparkHome spark;
  private final Path jobJar;
  private final Path workDir;
  private final Map<String, String> env;

  Submission(SparkHome spark, Path jobJar, Path workDir) {
    this(spark, jobJar, workDir, Map.of());
  }

  private Submission(SparkHome spark, Path jobJar, Path workDir, Map<String, String> env) {
    this.spark = spark;
    this.jobJar = jobJar;
    this.workDir = workDir;
    this.env = env;
  }

  /** The same submissions with these environment variables set (credentials for the SDK's chain). */
  Submission withEnv(Map<String, String> vars) {
    return new Submission(spark, jobJar, workDir, Map.copyOf(vars));
  }

  /**
   * {@code spark-submit --master MASTER [sparkConf...] --class Main JOBJAR appArgs...}; waits for
   * it. {@code name} names the output files.
   */
  Result run(String name, String master, List<String> sparkConf, List<String> appArgs)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--master", master, "--deploy-mode", "client",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false"));
    for (String c : sparkConf) {
      args.add("--conf");
      args.add(c);
    }
    args.addAll(List.of("--class", MAIN_CLASS, jobJar.toString()));
    args.addAll(appArgs);
    return submit(name, args);
  }

  /**
   * As Spark's launcher does: SPARK_CONF_DIR before the jars, HADOOP_CONF_DIR and YARN_CONF_DIR
   * after them, so Hadoop's Configuration finds yarn-site.xml on the classpath.
   */
  private void addConfDirsToClasspath(List<String> cmd) {
    int cp = cmd.indexOf("-cp") + 1;
    String classpath = cmd.get(cp);
    if (env.containsKey("SPARK_CONF_DIR")) {
      classpath = env.get("SPARK_CONF_DIR") + java.io.File.pathSeparator + classpath;
    }
    for (String dir : List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
      if (env.containsKey(dir)) {
        classpath = classpath + java.io.File.pathSeparator + env.get(dir);
      }
    }
    cmd.set(cp, classpath);
  }

  /** {@code spark-submit submitArgs...} exactly as given (the job jar is not added). */
  Result submit(String name, List<String> submitArgs) throws IOException, InterruptedException {
    List<String> args = submitArgs;
    Path out = workDir.resolve(name + ".out");
    Path err = workDir.resolve(name + ".log");
    // spark-submit's default driver memory.
    ProcessBuilder pb = spark.java("1g", "org.apache.spark.deploy.SparkSubmit", args)
        .directory(workDir.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().putAll(env);
    addConfDirsToClasspath(pb.command());
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish within " + TIMEOUT_MINUTES + " minutes; see " + err);
    }
    return new Result(name, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), err);
  }
}
