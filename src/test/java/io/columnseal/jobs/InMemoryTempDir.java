package io.columnseal.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * A temporary directory in memory (/dev/shm, where Linux has it), else the default one: a test
 * that makes and reads thousands of tiny files then measures Spark, not the disk's metadata
 * speed (on a shared build machine, about 1 ms per file created, opened or deleted).
 */
public final class InMemoryTempDir implements TempDirFactory {
  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "columnseal-test-");
    }
    return Files.createTempDirectory("columnseal-test-");
  }
}
