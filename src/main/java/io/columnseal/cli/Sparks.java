package io.columnseal.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: spark-submit's settings where given, else local mode on this machine. */
final class Sparks {
  private Sparks() {}

  static SparkSession session(String appName) {
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      b.master("local[*]");
    }
    if (!conf.contains("spark.sql.session.timeZone")) {
      // Timestamps are read and written the same way wherever the job runs.
      b.config("spark.sql.session.timeZone", "UTC");
    }
    // Cells hold dates and timestamps in Spark 3's proleptic Gregorian calendar; decrypt writes
    // them back as they are, including dates before 1582 (banks use 0001-01-01 placeholders).
    for (String k : new String[] {"spark.sql.parquet.datetimeRebaseModeInWrite", "spark.sql.parquet.int96RebaseModeInWrite"}) {
      if (!conf.contains(k)) {
        b.config(k, "CORRECTED");
      }
    }
    return b.getOrCreate();
  }

  /**
   * Hadoop settings for commands that run no Spark job (rewrap, manifest): the *-site.xml files
   * on the classpath plus the {@code spark.hadoop.*} properties spark-submit passed (it sets
   * them as system properties of the driver), applied the way Spark applies them.
   */
  static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    String prefix = "spark.hadoop.";
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        conf.set(name.substring(prefix.length()), System.getProperty(name));
      }
    }
    return conf;
  }
}
