package io.columnseal.sql;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ColumnRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * A columnseal dataset as Spark's file relation: the manifest's live files only (never a folder
 * listing, {@link LiveFileIndex}), in the manifest's column order and original types, read by
 * Spark's own Parquet scan through {@link SealedFormat} (which decides per query what is
 * decrypted and how). Spark plans it like any Parquet table: columns pruned, filters on clear
 * columns pushed to Parquet, partitions pruned, columnar batches where no cell is opened. A scan
 * of clear columns makes no KMS call.
 */
final class SealedRelation {
  private SealedRelation() {}

  /** Opens the manifest (refusing a dataset with an unfinished run); no KMS call unless manifest.macKey or raw. */
  static HadoopFsRelation open(SQLContext sqlContext, ReadSettings s) {
    SparkSession spark = sqlContext.sparkSession();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetSnapshot snap = DatasetSnapshot.openComplete(conf, s.path, s.manifestPath,
        KeyTrust.macKey(s.keyService, s.manifestMacKey));
    boolean page = DatasetCellEncoding.isPage(snap.state);
    if (page && s.onUndecryptable == OnUndecryptable.RAW) {
      throw new ConfigException("Cannot set onUndecryptable to raw for page-mode dataset " + snap.state.datasetId()
          + ": its columns are encrypted by page, so there are no stored cells to return; use fail or null");
    }
    List<String> raw = page ? List.of() : rawColumns(snap, s);
    // From the manifest where it can say (no footer read, no schema-inference job per query).
    StructType stored = page ? manifestTypes(snap) : cellTypes(snap);
    if (stored == null) {
      stored = snap.read(spark).schema();
    }
    Set<String> sealed = new HashSet<>(snap.state.encryptedColumns());
    // Tokens are not reversible: a reader gets them as written, like a clear column.
    snap.state.schema().stream().filter(DomainOpenings::keptAsWritten).forEach(c -> sealed.remove(c.name()));
    sealed.removeAll(raw);
    List<StructField> fields = new ArrayList<>();
    Map<String, DataType> storedTypes = new HashMap<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (!c.stored()) {
        continue; // dropped: recorded, never written
      }
      DataType asStored = stored.apply(c.name()).dataType();
      storedTypes.put(c.name(), asStored);
      DataType type = sealed.contains(c.name()) ? snap.originalType(c.name()) : asStored;
      fields.add(new StructField(c.name(), type, true, Metadata.empty()));
    }
    HadoopFsRelation files = liveFiles(snap.read(spark, stored));
    // EXPLAIN's "Format" (abbreviated past 100 characters; its "Location" names the folder).
    String description = "columnseal dataset " + snap.state.datasetId() + " (manifest version "
        + snap.state.version() + ", onUndecryptable=" + s.onUndecryptable.name().toLowerCase(java.util.Locale.ROOT)
        + ")";
    SealedFormat format = new SealedFormat(snap, s, page, sealed, storedTypes, description);
    // The read's options (DatasetSnapshot's) pin ignoreCorruptFiles/ignoreMissingFiles off: a
    // live file that is missing or does not read fails the query, whatever the session says.
    return new HadoopFsRelation(new LiveFileIndex(files.location(), snap, conf), files.partitionSchema(),
        new StructType(fields.toArray(new StructField[0])), scala.Option.empty(), format, files.options(), spark);
  }

  /**
   * With onUndecryptable=raw, the encrypted columns this caller could not open, read as their
   * stored cells: the schema must say so now, so one probe per master key, here.
   */
  private static List<String> rawColumns(DatasetSnapshot snap, ReadSettings s) {
    if (s.onUndecryptable != OnUndecryptable.RAW) {
      return List.of();
    }
    List<String> all = new ArrayList<>(snap.state.encryptedColumns());
    snap.state.schema().stream().filter(c -> DomainOpenings.keptAsWritten(c) || DomainOpenings.reversibleDomainColumn(c))
        .forEach(c -> all.remove(c.name())); // their keys are domain keys: refused as they are read
    if (all.isEmpty()) {
      return List.of();
    }
    KeyTrust.check(s.allowedKeys, snap.state, KeyServices.shared(s.keyService), "read");
    return KeyAccess.refused(snap, s.keyService, all, OnUndecryptable.RAW);
  }

  /** A page-mode dataset's stored columns in the manifest's types. */
  private static StructType manifestTypes(DatasetSnapshot snap) {
    List<StructField> fields = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (c.stored()) {
        fields.add(new StructField(c.name(), snap.originalType(c.name()), true, Metadata.empty()));
      }
    }
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * A cell-mode dataset's stored columns as its files hold them, from the manifest: clear columns
   * in their recorded types; cells binary, or text where the dataset stores them as base64; fpe
   * digits, tokens and masks text. Null for a manifest written before it recorded the cell
   * encoding: Spark then infers the types from the files.
   */
  private static StructType cellTypes(DatasetSnapshot snap) {
    if (snap.state.cellEncoding().isEmpty()) {
      return null;
    }
    boolean text = snap.state.cellEncoding().get().equals(DatasetCellEncoding.name(CellEncoding.BASE64));
    List<StructField> fields = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (!c.stored()) {
        continue;
      }
      DataType type;
      if (!c.encrypted()) {
        type = DataType.fromDDL(c.type());
      } else if (List.of("fpe", "token", "mask").contains(c.protection())) {
        type = DataTypes.StringType;
      } else {
        type = text ? DataTypes.StringType : DataTypes.BinaryType;
      }
      fields.add(new StructField(c.name(), type, true, Metadata.empty()));
    }
    return new StructType(fields.toArray(new StructField[0]));
  }

  /** The file relation Spark made for a read of the live files (its index, partition columns, options). */
  private static HadoopFsRelation liveFiles(Dataset<Row> read) {
    for (LogicalPlan leaf : JavaConverters.seqAsJavaList(read.queryExecution().analyzed().collectLeaves())) {
      if (leaf instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs) {
        return fs;
      }
    }
    throw new IllegalStateException("Spark read the live files without a file relation: " + read.queryExecution()
        .analyzed().getClass().getSimpleName());
  }

  /** A URI's user info (s3a://KEY:SECRET@bucket) is a credential: never shown. */
  static String redacted(String path) {
    return path.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1***@");
  }
}
