package io.columnseal.jobs.decrypt;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ColumnRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.util.LongAccumulator;

/**
 * decrypt: reads the manifest's live files, opens the chosen columns in the executors and
 * writes plaintext Parquet or CSV with the original column order and types.
 */
public final class DecryptJob {
  private DecryptJob() {}

  public static RunSummary run(SparkSession spark, DecryptSettings s) {
    try {
      return decrypt(spark, s);
    } catch (Exception e) { // Spark's SparkException is checked, and undeclared
      throw JobFailures.unwrap(e);
    } finally {
      // The job's DEKs end with it (this JVM's entries; executors' expire after DataKeyCache.IDLE).
      DataKeyCache.shared().clear();
      PageDataset.clearCache();
      io.columnseal.jobs.domain.DomainKeyCache.shared().clear();
    }
  }

  private static RunSummary decrypt(SparkSession spark, DecryptSettings s) {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    // With manifest.macKey, one VerifyMac of the head before any data key goes to KMS.
    DatasetSnapshot snap = DatasetSnapshot.openComplete(conf, s.datasetPath, s.manifestPath,
        KeyTrust.macKey(s.keyService, s.manifestMacKey));
    List<String> encrypted = snap.state.encryptedColumns();
    List<String> asked = s.columns.isEmpty() ? encrypted : s.columns;
    for (String c : asked) {
      if (!encrypted.contains(c)) {
        throw ConfigException.badValue("--columns", c, "an encrypted column of the dataset, one of " + encrypted);
      }
    }
    // Tokens are not reversible: they stay as written.
    List<String> chosen = new ArrayList<>();
    for (String c : asked) {
      if (snap.state.schema().stream().noneMatch(r -> r.name().equals(c) && DomainOpenings.keptAsWritten(r))) {
        chosen.add(c);
      }
    }
    OutputPlacement.check(conf, s.outputPath, s.datasetPath, snap.manifestDir, snap.state.history());
    KeyTrust.check(s.allowedKeys, snap.state, KeyServices.shared(s.keyService), "decrypt");
    PlaintextOutput output = PlaintextOutput.at(conf, s.outputPath, s.overwrite);
    if (DatasetCellEncoding.isPage(snap.state)) {
      return decryptPages(spark, s, snap, chosen, output, started);
    }
    DomainOpenings.Opening[] domains = DomainOpenings.resolve(snap, chosen, s.domainStore, s.allowedKeys,
        s.keyService, conf);
    // The first KMS calls: one unwrap per master key of the live data, before anything is written.
    // With column policies, only the key groups of the chosen columns: a principal allowed one key
    // restores that key's columns.
    String[] groups = keyGroups(snap, chosen);
    if (groups != null) {
      for (int k = 0; k < groups.length; k++) {
        String c = chosen.get(k);
        if (snap.state.schema().stream().anyMatch(r -> r.name().equals(c) && DomainOpenings.reversibleDomainColumn(r))) {
          groups[k] = null; // its key is the domain's, probed by DomainOpenings
        }
      }
    }
    if (groups == null) {
      KeyAccessProbe.check(s.keyService, KeyAccessProbe.onePerKey(snap.state.deks().values(), snap.liveRuns()));
    } else {
      KeyAccessProbe.checkGroups(s.keyService, snap.state.deks().values(), snap.liveRuns(), chosen, groups);
    }

    LongAccumulator rows = spark.sparkContext().longAccumulator("columnseal.decrypt.rows");
    LongAccumulator[] nullCells = null;
    if (s.onError == OnCellError.NULL) {
      nullCells = new LongAccumulator[chosen.size()];
      for (int k = 0; k < nullCells.length; k++) {
        nullCells[k] = spark.sparkContext().longAccumulator("columnseal.decrypt.nullCells." + chosen.get(k));
      }
    }
    Dataset<Row> opened = open(spark, snap, chosen, s, rows, nullCells, "csv".equals(s.format), domains);
    Dataset<Row> ordered = opened.select(originalOrder(snap, opened));
    output.write(spark, "columnseal decrypt " + snap.state.datasetId(), ordered, w -> save(w, s));

    RunSummary r = new RunSummary();
    r.command = "decrypt";
    r.datasetId = snap.state.datasetId();
    r.input = s.datasetPath;
    r.output = s.outputPath;
    r.manifestVersion = snap.state.version();
    r.files = snap.state.liveFiles().size();
    r.deks = snap.state.deks().size();
    r.rowsRead = rows.value();
    r.rowsWritten = rows.value();
    r.startedAt = started.toString();
    r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
    r.cellsPerColumn = null;
    r.kmsCalls = null;
    r.decryptedColumns = chosen;
    if (nullCells != null) {
      r.nullCellsPerColumn = new java.util.LinkedHashMap<>();
      for (int k = 0; k < nullCells.length; k++) {
        r.nullCellsPerColumn.put(chosen.get(k), nullCells[k].value());
      }
    }
    return r;
  }

  /**
   * A page-mode dataset (docs/FORMAT.md section 12): Parquet decrypts the chosen columns' pages
   * through {@link PageDecryption}, named in the read's own options; no cell is opened. The output
   * holds the clear columns and the chosen ones: a column not chosen has no cell to copy.
   */
  private static RunSummary decryptPages(SparkSession spark, DecryptSettings s, DatasetSnapshot snap,
      List<String> chosen, PlaintextOutput output, Instant started) {
    if (!chosen.isEmpty()) {
      // The first KMS calls, before anything is written: the chosen columns' key groups, and
      // kms.key's group, whose DEK signs every file's footer. Page mode has recorded key groups
      // and column policies from its first release (FORMAT.md 12.1).
      List<String> probed = new ArrayList<>(chosen);
      probed.add("(footer)");
      String[] groups = keyGroups(snap, probed);
      groups[groups.length - 1] = io.columnseal.jobs.dataset.PageFormat.FOOTER_GROUP;
      KeyAccessProbe.checkGroups(s.keyService, snap.state.deks().values(), snap.liveRuns(), probed, groups);
    }
    Map<String, String> hadoopKeys = PageReaderSettings.hadoopKeys(snap, s.keyService, s.allowedKeys,
        s.manifestMacKey);
    Dataset<Row> read = snap.readPages(spark, hadoopKeys, chosen);
    Observation counted = new Observation("columnseal.decrypt.rows");
    Dataset<Row> observed = read.observe(counted, functions.count(functions.lit(1)).as("rows"));
    try {
      output.write(spark, "columnseal decrypt " + snap.state.datasetId(), observed, w -> save(w, s));
    } catch (Exception e) { // Spark's SparkException is checked, and undeclared
      io.columnseal.jobs.dataset.DatasetException refused = PageReadFailure.of(e, snap.state.datasetId(),
          () -> PageReadFailure.firstUnverifiedFooter(pageReadConf(spark, hadoopKeys), liveFiles(snap)));
      if (refused != null) {
        throw refused;
      }
      throw e;
    }
    long rows;
    try {
      rows = ((Number) counted.getAsJava().get("rows")).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting the rows decrypt wrote", e);
    }

    RunSummary r = new RunSummary();
    r.command = "decrypt";
    r.datasetId = snap.state.datasetId();
    r.input = s.datasetPath;
    r.output = s.outputPath;
    r.manifestVersion = snap.state.version();
    r.files = snap.state.liveFiles().size();
    r.deks = snap.state.deks().size();
    r.rowsRead = rows;
    r.rowsWritten = rows;
    r.startedAt = started.toString();
    r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
    r.cellsPerColumn = null;
    r.kmsCalls = null;
    r.decryptedColumns = chosen;
    return r;
  }

  /** The session's Hadoop configuration with a page-mode read's own keys (docs/FORMAT.md section 12). */
  private static Configuration pageReadConf(SparkSession spark, Map<String, String> hadoopKeys) {
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    hadoopKeys.forEach(conf::set);
    return conf;
  }

  private static List<org.apache.hadoop.fs.Path> liveFiles(DatasetSnapshot snap) {
    List<org.apache.hadoop.fs.Path> files = new ArrayList<>();
    snap.state.liveFiles().forEach(f -> files.add(new org.apache.hadoop.fs.Path(snap.path, f)));
    return files;
  }

  /** Writes as {@code s.format} says: Parquet, or CSV with a header and RFC 4180 quoting. */
  static void save(DataFrameWriter<Row> w, DecryptSettings s) {
    if ("csv".equals(s.format)) {
      w.option("header", "true").option("quote", "\"").option("escape", "\"").csv(s.outputPath);
    } else {
      w.parquet(s.outputPath);
    }
  }

  /**
   * The dataset's live files with {@code chosen} decrypted, other columns as stored;
   * {@code domains}: per chosen column its domain opening (deterministic, fpe), or null for all randomized.
   */
  static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, List<String> chosen, DecryptSettings s,
      LongAccumulator rowCounter, LongAccumulator[] nullCells, boolean binaryAsBase64,
      DomainOpenings.Opening[] domains) {
    DataType[] types = new DataType[chosen.size()];
    for (int k = 0; k < types.length; k++) {
      types[k] = snap.originalType(chosen.get(k));
    }
    return open(spark, snap, snap.read(spark), chosen, types, s, rowCounter, nullCells, binaryAsBase64,
        FileBindings.of(snap, spark.sparkContext().hadoopConfiguration()), domains);
  }

  /**
   * {@code files} (cells of {@code snap}'s dataset) with the columns {@code chosen} decrypted
   * as {@code types}; a column's name is the one its cells' associated data binds.
   */
  static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> files, List<String> chosen,
      DataType[] types, DecryptSettings s, LongAccumulator rowCounter, LongAccumulator[] nullCells,
      boolean binaryAsBase64) {
    return open(spark, snap, files, chosen, types, s, rowCounter, nullCells, binaryAsBase64, null);
  }

  /** As above; with {@code bindings}, each cell must sit in a file the manifest binds its DEK to. */
  static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> files, List<String> chosen,
      DataType[] types, DecryptSettings s, LongAccumulator rowCounter, LongAccumulator[] nullCells,
      boolean binaryAsBase64, FileBindings bindings) {
    return open(spark, snap, files, chosen, types, s, rowCounter, nullCells, binaryAsBase64, bindings, null);
  }

  private static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> files, List<String> chosen,
      DataType[] types, DecryptSettings s, LongAccumulator rowCounter, LongAccumulator[] nullCells,
      boolean binaryAsBase64, FileBindings bindings, DomainOpenings.Opening[] domains) {
    // Each row also carries its file and its index in the file, for error messages.
    Column metadata = files.metadataColumn("_metadata");
    Dataset<Row> positioned = files.select(functions.col("*"), metadata.getField("file_path"),
        metadata.getField("row_index"));
    CellOpening.Extras extras = new CellOpening.Extras();
    extras.rows = rowCounter;
    extras.onError = s.onError;
    extras.nullCells = nullCells;
    extras.leftEncryptedAsBase64 = binaryAsBase64;
    return CellOpening.open(spark, snap, positioned, chosen, types, s.keyService, bindings, domains, extras);
  }

  /** Each chosen column's key group, or null when the dataset records no column policies. */
  static String[] keyGroups(DatasetSnapshot snap, List<String> chosen) {
    if (snap.state.schema().stream().noneMatch(ColumnRecord::hasPolicy)) {
      return null;
    }
    String[] groups = new String[chosen.size()];
    for (int k = 0; k < groups.length; k++) {
      String name = chosen.get(k);
      groups[k] = snap.state.schema().stream().filter(c -> c.name().equals(name)).findFirst()
          .map(ColumnRecord::key).orElse(null);
    }
    return groups;
  }

  /** The manifest's column order; a dropped column is recorded but not stored, so not written. */
  static Column[] originalOrder(DatasetSnapshot snap, Dataset<Row> df) {
    List<Column> cols = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (!c.stored()) {
        continue;
      }
      cols.add(df.col("`" + c.name().replace("`", "``") + "`"));
    }
    return cols.toArray(new Column[0]);
  }
}
