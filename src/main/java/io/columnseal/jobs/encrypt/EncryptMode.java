package io.columnseal.jobs.encrypt;

/**
 * How encrypt protects the randomized columns ({@code encrypt.mode}): each value sealed into its
 * own cell (default), or the column's Parquet pages encrypted by Parquet modular encryption under
 * the partition's DEK (docs/FORMAT.md section 12).
 */
public enum EncryptMode {
  CELL,
  PAGE
}
