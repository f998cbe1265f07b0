package io.columnseal.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * What a command run lets through to the logs. Spark, Hadoop and Parquet log a failed task with
 * the exception's text and stack trace (WARN "Lost task ...", ERROR "Exception in task ..."),
 * and that text can quote a value of the data; the CLI prints its own one-line summary instead.
 * So, unless --verbose or COLUMNSEAL_VERBOSE=1, every logger but columnseal's is turned off for
 * the run, and columnseal's keeps the level it had. {@link #close()} puts everything back.
 */
final class Logging implements AutoCloseable {
  static final String ENV = "COLUMNSEAL_VERBOSE";
  private static final String OURS = "io.columnseal";

  private final LoggerContext context;
  private final Map<String, Level> changed = new LinkedHashMap<>();
  private final List<String> added = new ArrayList<>();

  private Logging(LoggerContext context) {
    this.context = context;
  }

  /** Verbose when asked on the command line or by the environment variable (1, true or yes). */
  static boolean verbose(boolean flag, String env) {
    return flag || (env != null && (env.equals("1") || env.equalsIgnoreCase("true") || env.equalsIgnoreCase("yes")));
  }

  /** Quiets foreign loggers for the run unless verbose; close to restore. */
  static Logging forRun(boolean verbose) {
    if (verbose || !(LogManager.getContext(false) instanceof LoggerContext)) {
      return new Logging(null);
    }
    Logging l = new Logging((LoggerContext) LogManager.getContext(false));
    Level ours = LogManager.getLogger(OURS).getLevel();
    l.set(OURS, ours == null ? Level.INFO : ours);
    l.set(LogManager.ROOT_LOGGER_NAME, Level.OFF);
    l.context.updateLoggers();
    return l;
  }

  private void set(String name, Level level) {
    Configuration config = context.getConfiguration();
    LoggerConfig lc = name.isEmpty() ? config.getRootLogger() : config.getLoggers().get(name);
    if (lc == null) {
      config.addLogger(name, new LoggerConfig(name, level, true));
      added.add(name);
    } else {
      changed.put(name, lc.getLevel());
      lc.setLevel(level);
    }
  }

  @Override
  public void close() {
    if (context == null) {
      return;
    }
    Configuration config = context.getConfiguration();
    added.forEach(config::removeLogger);
    changed.forEach((name, level) -> {
      LoggerConfig lc = name.isEmpty() ? config.getRootLogger() : config.getLoggers().get(name);
      if (lc != null) {
        lc.setLevel(level);
      }
    });
    context.updateLoggers();
  }
}
