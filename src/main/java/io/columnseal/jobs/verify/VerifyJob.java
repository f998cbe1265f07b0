package io.columnseal.jobs.verify;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.DataKey;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.RunIds;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * verify: checks a dataset against its manifest and reports every finding. Files: each live
 * file exists, no unrecorded file or unfinished run; footers: each encrypted column is BINARY,
 * row counts add up; data: every cell is a v1 cell of a DEK the manifest lists, cell counts per
 * DEK match; keys: every wrapped DEK unwraps (or is well-formed, with --shallow) and sample
 * cells of every file decrypt.
 */
public final class VerifyJob {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyJob.class);
  static final String FILE_COLUMN = "_columnseal_file";

  private VerifyJob() {}

  public static VerifyReport run(SparkSession spark, VerifySettings s) {
    try {
      return verify(spark, s);
    } catch (Exception e) {
      throw JobFailures.unwrap(e);
    }
  }

  private static VerifyReport verify(SparkSession spark, VerifySettings s) {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetSnapshot snap = DatasetSnapshot.open(conf, s.datasetPath, s.manifestPath);
    VerifyReport r = new VerifyReport();
    r.datasetId = snap.state.datasetId();
    r.path = s.datasetPath;
    r.manifestVersion = snap.state.version();
    r.checkedAt = started.toString();
    r.shallow = s.shallow;
    r.liveFiles = snap.state.liveFiles().size();
    r.deksInManifest = snap.state.deks().size();
    for (DekRecord d : snap.state.deks().values()) {
      r.deksPerMasterKey.merge(d.keyArn(), 1L, Long::sum);
    }

    for (String c : s.sensitiveColumns) {
      if (!snap.state.encryptedColumns().contains(c)) {
        r.find("sensitive-columns", "column " + c + " is configured as sensitive but the dataset does not encrypt it");
      }
    }
    for (String run : snap.pendingRuns(conf)) {
      r.find("incomplete-run", "run " + run + " wrote data but did not commit the manifest; its files are not part of the"
          + " dataset until columnseal recover, or the next encrypt with output.mode=append or overwrite, adds them");
    }
    checkWorkFolders(conf, snap, r);
    boolean filesOk = checkFiles(conf, snap, r);
    boolean footersOk = checkFooters(conf, snap, r);
    if (filesOk && footersOk && !snap.state.liveFiles().isEmpty()) {
      try {
        scanData(spark, snap, s, r);
      } catch (Exception e) {
        // A damaged page fails the Spark job; that is a finding of verify, not a crash of it.
        r.find("unreadable-data", "the live files could not be scanned: " + rootCause(e));
      }
    }
    checkKeys(snap, s, r);
    r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
    writeReport(conf, snap, s, r);
    return r;
  }

  /** Live files all present; files on disk that no commit names are reported. */
  private static boolean checkFiles(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    Set<String> onDisk = new HashSet<>(DatasetFiles.dataFiles(conf, new Path(snap.path)));
    boolean ok = true;
    for (String f : snap.state.liveFiles()) {
      if (!onDisk.contains(f)) {
        r.find("missing-file", "file " + f + " is in the manifest but not in the dataset folder");
        ok = false;
      }
    }
    for (String f : new TreeSet<>(onDisk)) {
      if (!snap.state.liveFiles().contains(f)) {
        r.find("unrecorded-file", "file " + f + " is in the dataset folder but in no manifest commit"
            + " (an unfinished run, a retired file not yet deleted, or a file copied in)");
      }
    }
    return ok;
  }

  /**
   * Anything under {@code _temporary/}: a run's work folder that no commit will use once its
   * run is gone (readers skip the folder, so its rows are silently missing from the dataset).
   */
  private static void checkWorkFolders(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    Path root = new Path(snap.path, DatasetFiles.WORK_ROOT);
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return;
      }
      FileStatus[] children = fs.listStatus(root);
      if (children.length == 0) {
        r.find("temporary-files", "folder " + DatasetFiles.WORK_ROOT + " is left in the dataset folder (empty)");
      }
      for (FileStatus st : children) {
        String name = DatasetFiles.WORK_ROOT + "/" + st.getPath().getName();
        long files = st.isDirectory() ? DatasetFiles.countFiles(fs, st.getPath()) : 1;
        r.find("temporary-files", "folder " + name + " holds " + files + " file(s) that are in no manifest commit: the"
            + " work folder of a run in progress, or of one that stopped (columnseal recover removes a dead run's)");
      }
    } catch (IOException e) {
      r.find("temporary-files", "cannot list " + root + ": " + e.getClass().getSimpleName());
    }
  }

  /**
   * Footer checks: encrypted columns are BINARY; the rows add up to the manifest's counts.
   * Returns false when a footer is unreadable or a column has the wrong type: scanning would fail.
   */
  private static boolean checkFooters(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    boolean ok = true;
    long rows = 0;
    for (String f : snap.state.liveFiles()) {
      Path p = new Path(snap.path, f);
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
        rows += reader.getRecordCount();
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        for (String c : snap.state.encryptedColumns()) {
          if (!schema.containsField(c)) {
            r.find("column-type", "file " + f + " has no column " + c);
            ok = false;
            continue;
          }
          Type t = schema.getType(c);
          if (!t.isPrimitive() || t.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY) {
            r.find("column-type", "column " + c + " in file " + f + " is " + t + ", not BINARY cells");
            ok = false;
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!(e instanceof java.io.FileNotFoundException)) {
          r.find("unreadable-file", "file " + f + " cannot be read as Parquet: " + e.getClass().getSimpleName());
          ok = false;
        }
      }
    }
    r.rowsFound = rows;
    long expected = 0;
    for (Commit c : snap.state.history()) {
      if (c.kind() != CommitKind.REWRAP && c.files().stream().anyMatch(snap.state.liveFiles()::contains)) {
        expected += c.stats().getOrDefault("rows", 0L);
      }
    }
    r.rowsExpected = expected;
    if (rows != expected) {
      r.find("row-count", "the live files hold " + rows + " rows; the manifest's runs wrote " + expected);
    }
    return ok;
  }

  /** The innermost cause's type and first line: Spark's own wrapping says nothing useful. */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = String.valueOf(root.getMessage()).split("\n")[0];
    return root.getClass().getSimpleName() + ": " + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg);
  }

  private static void scanData(SparkSession spark, DatasetSnapshot snap, VerifySettings s, VerifyReport r) {
    Dataset<Row> stored = snap.read(spark);
    stored = stored.withColumn(FILE_COLUMN, functions.col("_metadata.file_path"));
    StructType schema = stored.schema();
    List<String> enc = snap.state.encryptedColumns();
    int[] ordinals = new int[enc.size()];
    DataType[] types = new DataType[enc.size()];
    CellEncoding encoding = CellEncoding.BINARY;
    for (int k = 0; k < ordinals.length; k++) {
      ordinals[k] = schema.fieldIndex(enc.get(k));
      types[k] = snap.originalType(enc.get(k));
      if (!(schema.fields()[ordinals[k]].dataType() instanceof BinaryType)) {
        encoding = CellEncoding.BASE64;
      }
    }
    Broadcast<Map<Long, WrappedDek>> deks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(snap.dekTable());
    spark.sparkContext().setJobDescription("columnseal verify " + snap.state.datasetId());
    VerifyScanner scanner = new VerifyScanner(snap.state.datasetId(), enc.toArray(new String[0]), ordinals, types,
        encoding, schema.fieldIndex(FILE_COLUMN), s.shallow ? null : s.keyService, deks, s.samplesPerFile);
    List<VerifyScanner.Result> parts = stored.queryExecution().toRdd().toJavaRDD().mapPartitions(scanner).collect();

    Map<Long, Long> cells = new HashMap<>();
    List<String> problems = new ArrayList<>();
    long problemCount = 0;
    for (VerifyScanner.Result p : parts) {
      p.cellsPerDek.forEach((id, n) -> cells.merge(id, n, Long::sum));
      r.cellsChecked += p.cells;
      r.samplesDecrypted += p.samples;
      problemCount += p.problemCount;
      problems.addAll(p.problems);
    }
    problems.stream().limit(20).forEach(m -> r.find("cells", m));
    if (problemCount > 20) {
      r.find("cells", (problemCount - 20) + " more cell problems like the ones above");
    }
    r.deksInData = cells.size();
    Set<DekId> liveDeks = liveDeks(snap);
    for (Map.Entry<Long, Long> e : cells.entrySet()) {
      DekId id = DekId.fromLong(e.getKey());
      DekRecord d = snap.state.deks().get(id);
      if (d == null) {
        r.find("unknown-dek", e.getValue() + " cell(s) name DEK " + id + ", which the manifest does not list");
      } else if (d.cells() != e.getValue()) {
        r.find("cell-count", "DEK " + id + " seals " + e.getValue() + " cells in the data; the manifest says " + d.cells());
      }
    }
    for (DekId id : liveDeks) {
      if (!cells.containsKey(id.asLong()) && snap.state.deks().get(id).cells() > 0) {
        r.find("cell-count", "DEK " + id + " sealed " + snap.state.deks().get(id).cells()
            + " cells by the manifest, but none are in the live files");
      }
    }
  }

  /** DEKs of the encrypt commits whose files are still live (not retired by an overwrite). */
  private static Set<DekId> liveDeks(DatasetSnapshot snap) {
    Set<DekId> live = new HashSet<>();
    for (Commit c : snap.state.history()) {
      if (c.kind() != CommitKind.REWRAP && c.files().stream().anyMatch(snap.state.liveFiles()::contains)) {
        c.addedDeks().forEach(d -> live.add(d.id()));
      }
    }
    return live;
  }

  private static void checkKeys(DatasetSnapshot snap, VerifySettings s, VerifyReport r) {
    if (s.shallow) {
      for (DekRecord d : snap.state.deks().values()) {
        if (d.wrappedKey().length == 0 || !d.keyArn().startsWith("arn:")) {
          r.find("wrapped-key", "DEK " + d.id() + " has a malformed wrapped key or key ARN");
        }
      }
      return;
    }
    KeyService kms = KeyServices.shared(s.keyService);
    int failures = 0;
    for (DekRecord d : snap.state.deks().values()) {
      try {
        DataKey k = kms.decrypt(d.wrapped(), d.id(), d.context());
        k.destroy();
        r.deksUnwrapped++;
      } catch (ColumnsealException e) {
        if (failures++ < 20) {
          r.find("unwrap", "DEK " + d.id() + " does not unwrap: " + e.getMessage());
        }
      }
    }
    if (failures > 20) {
      r.find("unwrap", (failures - 20) + " more DEKs do not unwrap");
    }
  }

  private static void writeReport(Configuration conf, DatasetSnapshot snap, VerifySettings s, VerifyReport r) {
    Path target = s.reportPath != null ? new Path(s.reportPath)
        : new Path(new Path(snap.manifestDir, "reports"), "verify-" + RunIds.next(Instant.parse(r.checkedAt)) + ".json");
    try {
      RunSummaries.write(conf, target, r);
    } catch (RuntimeException e) {
      LOG.warn("could not write the verify report to {}: {}", target, e.toString());
    }
  }
}
