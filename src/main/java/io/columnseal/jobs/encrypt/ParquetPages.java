package io.columnseal.jobs.encrypt;

/**
 * The Parquet data page version encrypt writes (output.parquetPages). V1 is read by every
 * engine; V2 lets the encrypted columns fall back to DELTA_BYTE_ARRAY, a few percent smaller,
 * but Impala, Hive, older Trino, Velox and StarRocks cannot read it (docs/BENCHMARKS.md).
 */
public enum ParquetPages {
  V1("PARQUET_1_0"),
  V2("PARQUET_2_0");

  /** The value of parquet-mr's {@code parquet.writer.version}. */
  final String writerVersion;

  ParquetPages(String writerVersion) {
    this.writerVersion = writerVersion;
  }
}
