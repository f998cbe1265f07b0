package io.columnseal.jobs.encrypt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parquet writer settings for encrypted output (docs/FORMAT.md section 2.1).
 *
 * <p>Dictionary encoding is off for the encrypted columns only: no two cells are equal, so a
 * dictionary is built for nothing before Parquet falls back from it. With data page v1 (the
 * default) the fallback is PLAIN, which every engine reads. With data page v2 it is
 * DELTA_BYTE_ARRAY, which folds the prefix neighbouring cells share (version, DEK id, high
 * counter bytes) into a prefix length, but several engines read neither v2 pages nor that
 * encoding.
 *
 * <p>Clear timestamps are written as INT64 TIMESTAMP(MICROS), the standard type, on every
 * cluster: Spark's default is the deprecated INT96, which would rewrite a MICROS input column
 * and let a dataset started in local mode and continued on EMR hold both.
 */
final class SealedParquetOptions {
  static final String WRITER_VERSION = "parquet.writer.version";
  static final String DICTIONARY_PREFIX = "parquet.enable.dictionary#";
  static final String TIMESTAMP_TYPE_KEY = "spark.sql.parquet.outputTimestampType";
  static final String TIMESTAMP_TYPE = "TIMESTAMP_MICROS";

  private SealedParquetOptions() {}

  /** Write options for {@code encrypted} columns in {@code pages}. */
  static Map<String, String> forColumns(List<String> encrypted, ParquetPages pages) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(WRITER_VERSION, pages.writerVersion);
    for (String column : encrypted) {
      options.put(DICTIONARY_PREFIX + column, "false");
    }
    return options;
  }
}
