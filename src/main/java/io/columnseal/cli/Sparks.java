package io.columnseal.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's SparkSession: spark-submit's settings where given, else local mode on this machine. */
final class Sparks {
  /**
   * Spark conf and Hadoop conf keys whose values the UI, the event log and the environment
   * page show as "*********(redacted)": Spark's default (secret, password, token, access key)
   * plus what else could name or hold a secret of a columnseal run (passphrases, credentials,
   * private or session keys, a keyring). columnseal's own Spark options
   * ({@code spark.columnseal.innerCommitProtocolClass}, the write option {@code columnseal.run.id})
   * hold class names and run ids only, never key material, so they need no redaction.
   */
  static final String REDACTION_REGEX =
      "(?i)secret|password|passphrase|token|access[.]?key|credential|private[._-]?key|session[._-]?key|keyring";
  /**
   * Text redacted inside SQL plans and options shown in the UI and event log: the user-info
   * part of a URL ({@code s3a://user:pass@bucket}) and {@code secret=...}-style pairs.
   */
  static final String PLAN_REDACTION_REGEX =
      "(?i)(?<=://)[^/@\\s]+(?=@)|(?:secret|password|passphrase|token)\\s*[=:]\\s*[^\\s,;)\\]}]+";
  /** Data source options whose values are redacted in plans: Spark's default (url) plus the above. */
  static final String OPTIONS_REDACTION_REGEX = "(?i)url|secret|password|passphrase|token|credential|access[.]?key";

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
    // A setting the user made wins: they may redact more (or differently) than we do.
    setUnlessGiven(b, conf, "spark.redaction.regex", REDACTION_REGEX);
    setUnlessGiven(b, conf, "spark.sql.redaction.string.regex", PLAN_REDACTION_REGEX);
    setUnlessGiven(b, conf, "spark.sql.redaction.options.regex", OPTIONS_REDACTION_REGEX);
    return b.getOrCreate();
  }

  private static void setUnlessGiven(SparkSession.Builder b, SparkConf conf, String key, String value) {
    if (!conf.contains(key)) {
      b.config(key, value);
    }
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
