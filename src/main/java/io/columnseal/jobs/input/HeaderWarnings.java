package io.columnseal.jobs.input;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Spark's CSV header checker warns with the line it dropped as a header when that line does not
 * match the schema, and that line may be a row of card data. conf/log4j2.properties raises it to
 * ERROR for the CLI; this does the same in every JVM that reads an encrypt input (the driver, and
 * executors on a cluster, which do not read that file), whenever it finds the logger at WARN or
 * below (a level of ERROR or OFF set by the user stays).
 */
public final class HeaderWarnings {
  /** Spark's logger that quotes a mismatched header line. */
  public static final String LOGGER = "org.apache.spark.sql.catalyst.csv.CSVHeaderChecker";

  private HeaderWarnings() {}

  /** Raises Spark's CSV header checker to ERROR in this JVM when it would log a warning. */
  public static void quiet() {
    Level now = LogManager.getLogger(LOGGER).getLevel();
    if (now == null || now.isLessSpecificThan(Level.WARN)) {
      Configurator.setLevel(LOGGER, Level.ERROR);
    }
  }
}
