package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.ColumnSpec;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.kms.KeyServiceSpec;
import java.io.Serializable;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/** What an executor needs to open the cells of a partition: plain values and the broadcast DEK table. */
final class OpeningPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  final String datasetId;
  /** The schema as read from the files (encrypted columns binary or base64 string). */
  final StructType storedSchema;
  /** Ordinals (in the stored schema) of the columns to decrypt. */
  final int[] ordinals;
  /** The original type of each column to decrypt, from the manifest. */
  final DataType[] originalTypes;
  final CellEncoding encoding;
  final KeyServiceSpec keyService;
  final Broadcast<Map<Long, WrappedDek>> deks;
  /** Counts rows opened; may be null. */
  final LongAccumulator rows;
  /** Ordinals of binary cells to write as unchunked base64 text (CSV output has no binary type). */
  final int[] base64Ordinals;
  /**
   * Whether each input row carries, after the stored columns, its file's path and its index
   * in the file (Spark's {@code _metadata.file_path} and {@code _metadata.row_index}), so an
   * error can say where the cell is.
   */
  final boolean positioned;
  final OnCellError onError;
  /** With {@link OnCellError#NULL}: cells written as null, per column to decrypt; else null. */
  final LongAccumulator[] nullCells;
  /** The live files' DEKs from the manifest (needs {@link #positioned}); null: files outside the dataset. */
  final FileBindings bindings;
  /**
   * Per column to decrypt, its key group (FORMAT.md 5.2, version 5), or null for no check: a
   * cell whose DEK names another group in its encryption context is refused before any unwrap.
   * Null when the dataset records no column policies.
   */
  String[] keyGroups;
  /** Per column to decrypt: its domain opening (deterministic, fpe; FORMAT.md 10.2, 10.3), else null. */
  DomainOpenings.Opening[] domains;
  /**
   * Where a positioned row's file path and row index are: after the stored columns, file then
   * row (the decrypt job's select), or row then file (the data source's file reader).
   */
  boolean rowIndexFirst;
  /**
   * The data source's answer when KMS refuses this caller a DEK: null, its cells read as null;
   * else the refusal fails the task naming the DEK's columns (onUndecryptable fail). Null for the
   * decrypt job, which probes keys before it reads.
   */
  Boolean deniedAsNull;

  OpeningPlan(String datasetId, StructType storedSchema, int[] ordinals, DataType[] originalTypes,
      CellEncoding encoding, KeyServiceSpec keyService, Broadcast<Map<Long, WrappedDek>> deks, LongAccumulator rows,
      int[] base64Ordinals) {
    this(datasetId, storedSchema, ordinals, originalTypes, encoding, keyService, deks, rows, base64Ordinals, false,
        OnCellError.FAIL, null, null);
  }

  OpeningPlan(String datasetId, StructType storedSchema, int[] ordinals, DataType[] originalTypes,
      CellEncoding encoding, KeyServiceSpec keyService, Broadcast<Map<Long, WrappedDek>> deks, LongAccumulator rows,
      int[] base64Ordinals, boolean positioned, OnCellError onError, LongAccumulator[] nullCells,
      FileBindings bindings) {
    this.datasetId = datasetId;
    this.storedSchema = storedSchema;
    this.ordinals = ordinals.clone();
    this.originalTypes = originalTypes.clone();
    this.encoding = encoding;
    this.keyService = keyService;
    this.deks = deks;
    this.rows = rows;
    this.base64Ordinals = base64Ordinals.clone();
    this.positioned = positioned;
    this.onError = onError;
    this.nullCells = nullCells == null ? null : nullCells.clone();
    if (bindings != null && !positioned) {
      throw new IllegalArgumentException("checking cells against their files needs each row's file and position");
    }
    this.bindings = bindings;
  }

  ColumnSpec columnSpec(int k) {
    return SparkTypes.columnSpec(datasetId, storedSchema.fields()[ordinals[k]].name(), originalTypes[k]);
  }

  /** The stored schema with the decrypted columns back to their original types. */
  StructType openedSchema() {
    StructField[] fields = storedSchema.fields().clone();
    for (int k = 0; k < ordinals.length; k++) {
      StructField f = fields[ordinals[k]];
      fields[ordinals[k]] = new StructField(f.name(), originalTypes[k], true, f.metadata());
    }
    for (int o : base64Ordinals) {
      fields[o] = new StructField(fields[o].name(), org.apache.spark.sql.types.DataTypes.StringType, true, fields[o].metadata());
    }
    return new StructType(fields);
  }
}
