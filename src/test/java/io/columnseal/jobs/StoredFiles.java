package io.columnseal.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Test helpers that tamper with a dataset's files as an attacker with write access to the
 * bucket would: read a data file's rows in file order, change cells, and put the rows back
 * under the same name (the manifest lists it by name).
 */
public final class StoredFiles {
  private StoredFiles() {}

  /** The dataset's one data file (the tests write a single partition). */
  public static Path onlyDataFile(String dataset) {
    try (Stream<Path> files = Files.list(Path.of(dataset))) {
      List<Path> data = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      if (data.size() != 1) {
        throw new AssertionError("expected one data file in " + dataset + ", found " + data);
      }
      return data.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static StructType schema(SparkSession spark, Path file) {
    return spark.read().parquet(file.toString()).schema();
  }

  /** The file's rows in file order (row i is Spark's {@code _metadata.row_index} i). */
  public static List<Row> rows(SparkSession spark, Path file) {
    return spark.read().parquet(file.toString()).collectAsList();
  }

  /**
   * Flips one byte in every copy of {@code stored} (a cell, stored verbatim: cells do not
   * compress) in every data file of {@code dataset}, in place, so each file keeps its size.
   * Returns how many copies were flipped.
   */
  public static int flipInEveryDataFile(String dataset, byte[] stored) {
    int flipped = 0;
    try (Stream<Path> files = Files.walk(Path.of(dataset))) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        int before = flipped;
        for (int i = 0; i + stored.length <= bytes.length; i++) {
          if (java.util.Arrays.equals(bytes, i, i + stored.length, stored, 0, stored.length)) {
            bytes[i + stored.length / 2] ^= 1;
            flipped++;
          }
        }
        if (flipped > before) {
          Files.write(f, bytes);
          Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc")); // Hadoop's local checksum
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return flipped;
  }

  /** {@code row} with field {@code i} set to {@code value}. */
  public static Row with(Row row, int i, Object value) {
    Object[] values = new Object[row.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = row.get(k);
    }
    values[i] = value;
    return RowFactory.create(values);
  }

  /** Replaces {@code file}'s content with {@code rows}, in order, keeping its name. */
  public static void replace(SparkSession spark, Path file, StructType schema, List<Row> rows) {
    Path staging = file.resolveSibling(".tamper-" + System.nanoTime());
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(staging.toString());
    try (Stream<Path> written = Files.list(staging)) {
      Path part = written.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
      // The local file system checks a file against its .crc side file: the old one no longer fits.
      Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
      try (Stream<Path> rest = Files.walk(staging)) {
        rest.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of {@code cell} with one byte of its ciphertext or tag flipped. */
  public static byte[] flipped(byte[] cell) {
    byte[] out = cell.clone();
    out[out.length - 5] ^= 0x01;
    return out;
  }
}
