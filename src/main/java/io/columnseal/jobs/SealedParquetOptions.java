package io.columnseal.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parquet writer options for encrypted output (docs/FORMAT.md section 2.1). Data page v2 makes
 * Parquet store binary columns as DELTA_BYTE_ARRAY, which folds the prefix that neighbouring
 * cells share (version, DEK id, high counter bytes) into a small prefix length. Dictionary
 * encoding is switched off for the encrypted columns only: no two cells are equal, so a
 * dictionary is built for nothing before Parquet falls back from it.
 */
final class SealedParquetOptions {
  static final String WRITER_VERSION = "parquet.writer.version";
  static final String DICTIONARY_PREFIX = "parquet.enable.dictionary#";

  private SealedParquetOptions() {}

  static Map<String, String> forColumns(List<String> encrypted) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(WRITER_VERSION, "PARQUET_2_0");
    for (String column : encrypted) {
      options.put(DICTIONARY_PREFIX + column, "false");
    }
    return options;
  }
}
