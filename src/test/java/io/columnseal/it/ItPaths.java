package io.columnseal.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the integration tests find the project and the job jar, and keep their work. The pom
 * passes the jar and the work root to failsafe; the work stays under target/it for reading
 * after a failure (driver logs, event logs, worker logs).
 */
final class ItPaths {
  private ItPaths() {}

  static Path basedir() {
    return Paths.get(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  }

  static Path target() {
    return basedir().resolve("target");
  }

  /** The shaded job jar that {@code mvn package} made. */
  static Path shadedJar() {
    String configured = System.getProperty("columnseal.shadedJar");
    if (configured == null) {
      throw new IllegalStateException("columnseal.shadedJar is not set: run the integration tests with mvn verify");
    }
    Path jar = Paths.get(configured);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no shaded jar at " + jar + ": mvn verify builds it in the package phase");
    }
    return jar;
  }

  /** An empty folder target/it/{@code name}, emptied if a previous run left one. */
  static Path freshWorkDir(String name) throws IOException {
    Path dir = Paths.get(System.getProperty("columnseal.itWork", target().resolve("it").toString())).resolve(name);
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }
}
