package io.columnseal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of the test JVM (surefire runs every test class in one fork), made on
 * first use: a first session costs seconds, a shared one nothing.
 *
 * <p>Tests must never call {@code stop()} on it: the classes after them would fail. Spark's
 * own shutdown hook stops it when the JVM exits; ours deletes the temporary warehouse. A test
 * that needs its own SQL settings takes {@code session().newSession()}, which shares the
 * SparkContext but not the settings.
 */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = create();
    }
    return session;
  }

  private static SparkSession create() {
    Path warehouse;
    try {
      warehouse = Files.createTempDirectory("columnseal-warehouse-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Spark warehouse directory", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(warehouse)));
    SparkSession spark = SparkSession.builder()
        .appName("columnseal-tests")
        // Up to 4 attempts per task, as on a cluster, so retry tests see real retries.
        .master("local[2,4]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
        // The JVM takes one URL stream handler factory: leave it to S3Mock's Tomcat, or S3 tests
        // fail with "factory already defined" when another Spark test ran first.
        .config("spark.sql.defaultUrlStreamHandlerFactory.enabled", "false")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort at JVM exit: a leftover temp directory is harmless.
    }
  }
}
