package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keyring warns that it is not for production, and logs ids, never material. */
class LocalKeyringLogTest {
  @TempDir Path dir;
  private final Capture capture = new Capture();
  private Logger logger;
  private Level levelBefore;

  @BeforeEach
  void capture() {
    // slf4j is bound to log4j2 on this classpath (as in Spark).
    levelBefore = LogManager.getLogger(LocalKeyring.class).getLevel();
    Configurator.setLevel(LocalKeyring.class.getName(), Level.INFO);
    logger = (Logger) LogManager.getLogger(LocalKeyring.class);
    capture.start();
    logger.addAppender(capture);
  }

  @AfterEach
  void release() {
    logger.removeAppender(capture);
    capture.stop();
    Configurator.setLevel(LocalKeyring.class.getName(), levelBefore);
  }

  @Test
  void openingWarnsAndNoLineShowsMaterial() {
    Path file = dir.resolve("log.keyring.json");
    try (LocalKeyring keyring = LocalKeyring.createOrOpen(file)) {
      keyring.createKey("alias/cards", "cards");
      keyring.rotate("alias/cards");
      keyring.disable("alias/cards");
      keyring.enable("alias/cards");
      keyring.generateDataKey("alias/cards", DekId.fromLong(7), EncryptionContext.of(Map.of())).plaintext().destroy();
    }
    assertTrue(capture.lines.stream().anyMatch(l -> l.startsWith("WARN ") && l.contains(file.toString())
        && l.contains("local development and tests only")), capture.lines::toString);
    assertTrue(capture.lines.stream().anyMatch(l -> l.contains("Rotated key")), capture.lines::toString);
    List<String> materials = KeyringSecrets.materials(file);
    for (String line : capture.lines) {
      for (String m : materials) {
        assertFalse(line.contains(m) || line.contains(m.substring(0, 12)), line);
      }
    }
  }

  private static final class Capture extends AbstractAppender {
    final List<String> lines = new CopyOnWriteArrayList<>();

    Capture() {
      super("keyring-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
    }
  }
}
