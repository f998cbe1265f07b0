package io.columnseal.jobs.dataset;

import io.columnseal.crypto.DekId;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A dataset as its manifest's current version describes it: the live files, the schema and
 * the DEK table. Readers go through this, never through a folder listing, so files of
 * unfinished or retired runs are never read.
 */
public final class DatasetSnapshot {
  public final String path;
  public final Path manifestDir;
  public final ManifestState state;

  private DatasetSnapshot(String path, Path manifestDir, ManifestState state) {
    this.path = path;
    this.manifestDir = manifestDir;
    this.state = state;
  }

  /** @throws DatasetException when there is no manifest */
  public static DatasetSnapshot open(Configuration conf, String datasetPath, String manifestOverride) {
    return open(conf, datasetPath, manifestOverride, null);
  }

  /**
   * With manifest.macKey (or null): the head commit must be authenticated by it, checked before
   * the caller sends KMS any data key (docs/FORMAT.md 5.6).
   *
   * @throws io.columnseal.manifest.ManifestNotAuthenticatedException if it is not
   */
  public static DatasetSnapshot open(Configuration conf, String datasetPath, String manifestOverride,
      ManifestMacKey macKey) {
    Path dir = DatasetFiles.manifestDir(datasetPath, manifestOverride);
    Optional<ManifestState> state = ManifestStore.at(dir, conf).withMacKey(macKey).read();
    if (state.isEmpty()) {
      Set<String> pending = DatasetFiles.pendingRecords(conf, dir).keySet();
      if (!pending.isEmpty()) {
        throw new DatasetException("no columnseal manifest at " + dir + " yet: the first run(s) " + pending
            + " of the dataset at " + datasetPath + " stopped between their data commit and their manifest commit; "
            + recoverHint(datasetPath));
      }
      throw new DatasetException("no columnseal manifest at " + dir + ": " + datasetPath + " is not a columnseal dataset"
          + " (if its manifest lives elsewhere, set manifest.path)");
    }
    return new DatasetSnapshot(datasetPath, dir, state.get());
  }

  /**
   * The snapshot a reader of the data opens (decrypt, its quarantine read-back): refused while
   * a run is unfinished, as reading it would silently miss that run's rows.
   */
  public static DatasetSnapshot openComplete(Configuration conf, String datasetPath, String manifestOverride) {
    return openComplete(conf, datasetPath, manifestOverride, null);
  }

  /** {@link #openComplete(Configuration, String, String)} with manifest.macKey (or null). */
  public static DatasetSnapshot openComplete(Configuration conf, String datasetPath, String manifestOverride,
      ManifestMacKey macKey) {
    DatasetSnapshot snap = open(conf, datasetPath, manifestOverride, macKey);
    snap.requireComplete(conf);
    return snap;
  }

  /**
   * Runs whose data was committed but whose manifest commit never happened: the pending
   * records, less those of runs the manifest holds (a record left behind after its commit).
   */
  public List<String> pendingRuns(Configuration conf) {
    Set<String> committed = new HashSet<>();
    state.history().forEach(c -> committed.add(c.runId()));
    List<String> runs = new ArrayList<>();
    for (String run : DatasetFiles.pendingRecords(conf, manifestDir).keySet()) {
      if (!committed.contains(run)) {
        runs.add(run);
      }
    }
    return runs;
  }

  /** The runs that added files still live in this version: their DEKs protect the data a reader opens. */
  public Set<String> liveRuns() {
    Set<String> runs = new HashSet<>();
    for (io.columnseal.manifest.Commit c : state.history()) {
      if (c.files().stream().anyMatch(state.liveFiles()::contains)) {
        runs.add(c.runId());
      }
    }
    return runs;
  }

  /** What to do about unfinished runs of the dataset at {@code path}. */
  public static String recoverHint(String path) {
    return "columnseal recover --dataset " + path + ", or the next encrypt with output.mode=append or overwrite, "
        + "adds their data to the dataset (docs/RELIABILITY.md); verify lists their files";
  }

  /** Refuses a dataset with an unfinished run: reading it would silently miss that run's rows. */
  private void requireComplete(Configuration conf) {
    List<String> pending = pendingRuns(conf);
    if (!pending.isEmpty()) {
      throw new DatasetException("dataset " + state.datasetId() + " at " + path + " is incomplete: run(s) " + pending
          + " wrote data but did not commit the manifest (the job stopped between the two); "
          + recoverHint(path));
    }
  }

  /**
   * The live files as a DataFrame. Partition columns come from folder names, which Spark would
   * type by inference (a string partition value 007 would come back as the int 7): each clear
   * column whose inferred type differs from the manifest's is read as the manifest's type.
   */
  public Dataset<Row> read(SparkSession spark) {
    String[] files = state.liveFiles().stream().map(f -> new Path(path, f).toString()).toArray(String[]::new);
    Dataset<Row> inferred = wholeFiles(spark).load(files);
    StructType recorded = recordedClearTypes(inferred.schema());
    return recorded == null ? inferred : wholeFiles(spark).schema(recorded).load(files);
  }

  /**
   * The live files read with {@code stored}, a schema an earlier {@link #read(SparkSession)} of
   * this snapshot returned: the files are listed again, but Spark runs no schema inference job.
   */
  public Dataset<Row> read(SparkSession spark, StructType stored) {
    String[] files = state.liveFiles().stream().map(f -> new Path(path, f).toString()).toArray(String[]::new);
    return wholeFiles(spark).schema(stored).load(files);
  }

  /**
   * A reader of live cell files: each file read whole by one task ({@link WholeFileParquet}), so
   * the opener's and verify's replay and order checks see every cell of a file; Spark's
   * file-source reader whatever {@code spark.sql.sources.useV1SourceList} says.
   */
  private DataFrameReader wholeFiles(SparkSession spark) {
    return strict(spark.read().format(WholeFileParquet.class.getName()).option("basePath", path));
  }

  /**
   * {@code reader} failing on a live file that is missing or does not read, whatever the session
   * says: Spark's {@code spark.sql.files.ignoreCorruptFiles} / {@code ignoreMissingFiles} would
   * skip the rest of such a file, and its rows, with a warning (a read's own options win).
   */
  private static DataFrameReader strict(DataFrameReader reader) {
    return reader.option("ignoreCorruptFiles", "false").option("ignoreMissingFiles", "false");
  }

  /**
   * A page-mode dataset's live files (docs/FORMAT.md section 12) as a DataFrame of its clear
   * columns and the encrypted columns {@code columns}, in the manifest's order and types (no
   * schema inference, so no footer is read on the driver). With an encrypted column, the read's
   * own options are {@code hadoopKeys} (the factory, this snapshot's version, the reader settings:
   * {@code PageReaderSettings.hadoopKeys}); they reach that read's Hadoop configuration only, never
   * the session's. Without one, the files are read with no decryption at all: Parquet reads a
   * plaintext footer's clear columns, and no key is asked for.
   */
  public Dataset<Row> readPages(SparkSession spark, Map<String, String> hadoopKeys, List<String> columns) {
    List<String> encrypted = state.encryptedColumns();
    for (String c : columns) {
      if (!encrypted.contains(c)) {
        throw new DatasetException("column " + c + " is not an encrypted column of dataset " + state.datasetId()
            + " (" + encrypted + ")");
      }
    }
    List<StructField> fields = new ArrayList<>();
    List<org.apache.spark.sql.Column> wanted = new ArrayList<>();
    for (ColumnRecord c : state.schema()) {
      if (!c.stored()) {
        continue;
      }
      fields.add(new StructField(c.name(), DataType.fromDDL(c.type()), true, org.apache.spark.sql.types.Metadata.empty()));
      if (!c.encrypted() || columns.contains(c.name())) {
        wanted.add(org.apache.spark.sql.functions.col("`" + c.name().replace("`", "``") + "`"));
      }
    }
    String[] files = state.liveFiles().stream().map(f -> new Path(path, f).toString()).toArray(String[]::new);
    org.apache.spark.sql.DataFrameReader reader = strict(spark.read()).option("basePath", path)
        .schema(new StructType(fields.toArray(new StructField[0])));
    if (!columns.isEmpty()) {
      reader = reader.options(hadoopKeys)
          // Each read column gets its own key group's DEK, not whatever its key metadata names.
          .option(PageFormat.COLUMNS_KEY, PageFormat.columnsValue(columns));
    }
    return reader.parquet(files).select(wanted.toArray(new org.apache.spark.sql.Column[0]));
  }

  /** {@code found} with the manifest's types for clear columns typed otherwise; null if none is. */
  private StructType recordedClearTypes(StructType found) {
    Map<String, ColumnRecord> byName = new HashMap<>();
    state.schema().forEach(c -> byName.put(c.name(), c));
    StructField[] fields = found.fields();
    boolean changed = false;
    for (int i = 0; i < fields.length; i++) {
      ColumnRecord c = byName.get(fields[i].name());
      if (c == null || c.encrypted()) {
        continue;
      }
      DataType type = DataType.fromDDL(c.type());
      if (!type.equals(fields[i].dataType())) {
        fields[i] = new StructField(fields[i].name(), type, true, fields[i].metadata());
        changed = true;
      }
    }
    return changed ? new StructType(fields) : null;
  }

  public Map<Long, WrappedDek> dekTable() {
    return dekTable(state);
  }

  /** The DEK table of {@code state}: id -> wrapped key, ARN and context. */
  public static Map<Long, WrappedDek> dekTable(ManifestState state) {
    Map<Long, WrappedDek> table = new HashMap<>();
    for (Map.Entry<DekId, DekRecord> e : state.deks().entrySet()) {
      DekRecord d = e.getValue();
      table.put(e.getKey().asLong(), new WrappedDek(d.keyArn(), d.wrappedKey(), d.encryptionContext()));
    }
    return table;
  }

  public DataType originalType(String column) {
    return state.schema().stream().filter(c -> c.name().equals(column)).findFirst()
        .map(c -> DataType.fromDDL(c.type()))
        .orElseThrow(() -> new DatasetException("manifest of " + path + " has no column " + column));
  }
}
