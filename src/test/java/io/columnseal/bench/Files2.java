package io.columnseal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Output sizes: the Parquet data files under a folder, without columnseal's manifest. */
final class Files2 {
  private Files2() {}

  static long parquetBytes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("_columnseal"))
          .filter(p -> p.getFileName().toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
