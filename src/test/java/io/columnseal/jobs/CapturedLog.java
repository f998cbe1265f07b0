package io.columnseal.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** The messages one logger writes while this is open (executor tasks run in the test JVM). */
public final class CapturedLog implements AutoCloseable {
  private final List<String> lines = new ArrayList<>();
  private final Logger logger;
  private final AbstractAppender appender;

  public CapturedLog(Class<?> source) {
    this.logger = (Logger) LogManager.getLogger(source);
    this.appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        synchronized (lines) {
          lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    logger.addAppender(appender);
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    logger.removeAppender(appender);
    appender.stop();
  }
}
