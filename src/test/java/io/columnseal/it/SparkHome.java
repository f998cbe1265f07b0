package io.columnseal.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A stand-in for a Spark distribution, made from the jars Maven resolved for Spark: a
 * SPARK_HOME whose {@code jars/} folder links to them. Spark's own launch code reads it as it
 * reads a real one: the driver and daemons here run with {@code -cp SPARK_HOME/jars/*}, and a
 * standalone Worker builds its executors' classpath from the same folder.
 *
 * <p>{@code jars/} holds the test JVM's classpath minus this project's own output and minus
 * the jars the job jar must bring itself ({@link #NOT_SPARK}), so a run proves that the
 * shaded jar carries them. A new compile dependency that Spark does not ship belongs there.
 */
final class SparkHome {
  /** Maven repository folders of jars that are not part of a Spark installation. */
  private static final List<String> NOT_SPARK = List.of(
      // Shaded into the job jar.
      "/org/bouncycastle/", "/info/picocli/", "/software/amazon/", "/org/reactivestreams/",
      "/org/apache/httpcomponents/client5/", "/org/apache/httpcomponents/core5/",
      "/com/fasterxml/jackson/dataformat/jackson-dataformat-yaml/", "/org/yaml/",
      // Test-only, and the test runner's own.
      "/org/junit/", "/org/opentest4j/", "/org/apiguardian/", "/com/holdenkarau/", "/org/scalatest/",
      "/org/scalactic/", "/org/scalatestplus/", "/org/scalacheck/", "/org/scala-sbt/", "/junit/junit/",
      "/org/hamcrest/", "/org/apache/maven/");

  /** Only scala 2.12 builds are on the classpath; bin/load-spark-env.sh would export the same. */
  private static final String SCALA_VERSION = "2.12";

  final Path home;
  final List<String> javaFlags;

  private SparkHome(Path home) {
    this.home = home;
    // Spark's own Java 17 options, the list bin/spark-class adds.
    this.javaFlags = List.of(JavaModuleOptions.defaultModuleOptions().split(" "));
  }

  /** Creates {@code dir}/jars with a link to each Spark jar of the test classpath. */
  static SparkHome create(Path dir, Path projectTarget) throws IOException {
    Path jars = Files.createDirectories(dir.resolve("jars"));
    int linked = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Paths.get(entry).toAbsolutePath();
      String unix = jar.toString().replace(File.separatorChar, '/');
      if (!unix.endsWith(".jar") || jar.startsWith(projectTarget) || NOT_SPARK.stream().anyMatch(unix::contains)) {
        continue;
      }
      Path link = jars.resolve(jar.getFileName());
      if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalStateException("two classpath jars are named " + jar.getFileName());
      }
      Files.createSymbolicLink(link, jar);
      linked++;
    }
    try (java.util.stream.Stream<Path> linkedJars = Files.list(jars)) {
      if (linkedJars.noneMatch(j -> j.getFileName().toString().startsWith("spark-core_" + SCALA_VERSION + "-"))) {
        throw new IllegalStateException("spark-core is not on the test classpath; " + linked + " jars linked");
      }
    }
    return new SparkHome(dir);
  }

  /**
   * Adds every jar of {@code dir} to {@code jars/}, as a cluster image adds its own libraries
   * to Spark's classpath (EMR's AWS SDK, for one). Returns how many.
   */
  int addJars(Path dir) throws IOException {
    int added = 0;
    try (java.util.stream.Stream<Path> extra = Files.list(dir)) {
      for (Path jar : (Iterable<Path>) extra.filter(j -> j.toString().endsWith(".jar")).sorted()::iterator) {
        Files.createSymbolicLink(home.resolve("jars").resolve(jar.getFileName()), jar.toAbsolutePath());
        added++;
      }
    }
    return added;
  }

  /** {@code java [flags] -cp SPARK_HOME/jars/* mainClass args}, in the environment a Spark script sets. */
  ProcessBuilder java(String heap, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    // Test speed only: these JVMs are short-lived and share two cores, where C1 and the serial
    // collector use about a third less CPU. Executors keep Spark's defaults.
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.addAll(javaFlags);
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + File.separator + "*");
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    for (String k : List.of("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR", "SPARK_DIST_CLASSPATH", "SPARK_CLASSPATH")) {
      env.remove(k);
    }
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", SCALA_VERSION);
    // Web UIs and any address Spark picks for itself stay on the loopback interface.
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }
}
