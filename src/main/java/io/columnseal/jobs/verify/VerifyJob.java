package io.columnseal.jobs.verify;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RunIds;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
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
  static final String ROW_COLUMN = "_columnseal_row";

  private VerifyJob() {}

  public static VerifyReport run(SparkSession spark, VerifySettings s) {
    try {
      return verify(spark, s);
    } catch (Exception e) {
      throw JobFailures.unwrap(e);
    } finally {
      // The job's DEKs end with it (this JVM's entries; executors' expire after DataKeyCache.IDLE).
      DataKeyCache.shared().clear();
    }
  }

  private static VerifyReport verify(SparkSession spark, VerifySettings s) {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    // With manifest.macKey, an unauthenticated head is refused (exit 1) before any other KMS call.
    ManifestMacKey macKey = KeyTrust.macKey(s.keyService, s.manifestMacKey);
    DatasetSnapshot snap = DatasetSnapshot.open(conf, s.datasetPath, s.manifestPath, macKey);
    VerifyReport r = new VerifyReport();
    ManifestAudit.check(conf, snap, macKey, r);
    if (!s.shallow) {
      // Before the first KMS call: a DEK under an untrusted key is never sent to KMS (exit 1).
      KeyTrust.check(s.allowedKeys, snap.state, KeyServices.shared(s.keyService), "verify");
    }
    r.datasetId = snap.state.datasetId();
    r.path = s.datasetPath;
    r.manifestVersion = snap.state.version();
    r.checkedAt = started.toString();
    r.shallow = s.shallow;
    r.liveFiles = snap.state.liveFiles().size();
    r.filesNotBound = FileBindings.of(snap, conf).unbound();
    r.deksInManifest = snap.state.deks().size();
    for (DekRecord d : snap.state.deks().values()) {
      r.deksPerMasterKey.merge(d.keyArn(), 1L, Long::sum);
    }

    if (s.shallow) {
      // No KMS call to guard: report it (alias entries are not resolved without a key service).
      try {
        KeyTrust.check(s.allowedKeys, snap.state, null, "verify --shallow");
      } catch (UntrustedKeyException e) {
        r.find("untrusted-key", e.getMessage());
      }
    }
    for (String c : s.sensitiveColumns) {
      if (!snap.state.encryptedColumns().contains(c)) {
        r.find("sensitive-columns", "column " + c + " is configured as sensitive but the dataset does not encrypt it");
      }
    }
    // Readers open from checkpoints; the audit replays the whole log and compares each with it.
    ManifestStore.at(snap.manifestDir, conf).auditCheckpoints().forEach(m -> r.find("checkpoint-mismatch", m));
    for (String run : snap.pendingRuns(conf)) {
      r.find("incomplete-run", "run " + run + " wrote data but did not commit the manifest; its files are not part of the"
          + " dataset until columnseal recover, or the next encrypt with output.mode=append or overwrite, adds them");
    }
    FileChecks.checkWorkFolders(conf, snap, r);
    if (DatasetCellEncoding.isPage(snap.state)) {
      verifyPages(spark, conf, snap, s, r);
      checkKeys(snap, s, r);
      r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
      writeReport(conf, snap, s, r);
      return r;
    }
    boolean filesOk = FileChecks.checkFiles(conf, snap, r);
    boolean footersOk = FileChecks.checkFooters(conf, snap, r);
    if (filesOk && footersOk && !snap.state.liveFiles().isEmpty()) {
      try {
        scanData(spark, snap, s, r);
      } catch (Exception e) {
        // A damaged page fails the Spark job; that is a finding of verify, not a crash of it.
        r.find("unreadable-data", "the live files could not be scanned: " + FileChecks.rootCause(e));
      }
    }
    checkKeys(snap, s, r);
    r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
    writeReport(conf, snap, s, r);
    return r;
  }

  /**
   * A page-mode dataset (docs/FORMAT.md section 12): the files and footers as PME structures, then,
   * unless --shallow, the pages of each file through PageDecryption.
   */
  private static void verifyPages(SparkSession spark, Configuration conf, DatasetSnapshot snap, VerifySettings s,
      VerifyReport r) {
    boolean filesOk = FileChecks.checkFiles(conf, snap, r);
    PageFooters footers = PageFooters.check(conf, snap, r);
    if (s.shallow || !filesOk) {
      return;
    }
    try {
      PageScan.run(spark, snap, s, r, footers, liveDeks(snap));
    } catch (Exception e) {
      r.find("unreadable-data", "the live files could not be scanned: " + FileChecks.rootCause(e));
    }
  }

  private static void scanData(SparkSession spark, DatasetSnapshot snap, VerifySettings s, VerifyReport r) {
    Dataset<Row> stored = snap.read(spark);
    stored = stored.withColumn(FILE_COLUMN, functions.col("_metadata.file_path"))
        .withColumn(ROW_COLUMN, functions.col("_metadata.row_index"));
    StructType schema = stored.schema();
    List<String> enc = new ArrayList<>();
    List<ColumnRecord> protectedCols = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (c.protection().equals("mask")) {
        protectedCols.add(c); // clear text, checked for its shape
        continue;
      }
      if (!c.encrypted()) {
        continue;
      }
      if (c.protection().equals("deterministic") || c.protection().equals("fpe") || c.protection().equals("token")) {
        protectedCols.add(c);
      } else {
        enc.add(c.name());
      }
    }
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
        encoding, schema.fieldIndex(FILE_COLUMN), schema.fieldIndex(ROW_COLUMN), FileBindings.of(snap, spark.sparkContext().hadoopConfiguration()), s.shallow ? null : s.keyService, deks, s.samplesPerFile);
    List<VerifyScanner.Result> parts = stored.queryExecution().toRdd().toJavaRDD().mapPartitions(scanner).collect();

    Map<Long, Long> cells = new HashMap<>();
    List<String> problems = new ArrayList<>();
    long problemCount = 0;
    List<String> misplaced = new ArrayList<>();
    long misplacedCount = 0;
    for (VerifyScanner.Result p : parts) {
      p.cellsPerDek.forEach((id, n) -> cells.merge(id, n, Long::sum));
      r.cellsChecked += p.cells;
      r.samplesDecrypted += p.samples;
      problemCount += p.problemCount;
      problems.addAll(p.problems);
      misplacedCount += p.misplacedCount;
      misplaced.addAll(p.misplaced);
    }
    misplaced.stream().limit(20).forEach(m -> r.find("misplaced-cell", m));
    if (misplacedCount > 20) {
      r.find("misplaced-cell", (misplacedCount - 20) + " more misplaced cells like the ones above");
    }
    problems.stream().limit(20).forEach(m -> r.find("cells", m));
    if (problemCount > 20) {
      r.find("cells", (problemCount - 20) + " more cell problems like the ones above");
    }
    if (!protectedCols.isEmpty()) {
      scanProtected(spark, snap, s, r, stored, protectedCols, encoding);
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

  /**
   * deterministic, fpe and token columns (FORMAT.md section 10): shapes of every value as
   * {@code protection-shape} findings, samples opened under the domain key the manifest names.
   */
  private static void scanProtected(SparkSession spark, DatasetSnapshot snap, VerifySettings s, VerifyReport r,
      Dataset<Row> stored, List<ColumnRecord> cols, CellEncoding encoding) {
    StructType schema = stored.schema();
    int n = cols.size();
    String[] names = new String[n];
    int[] ordinals = new int[n];
    DataType[] types = new DataType[n];
    String[] protections = new String[n];
    int[] tokenBytes = new int[n];
    long[] keyIds = new long[n];
    String[] maskShows = new String[n];
    for (int k = 0; k < n; k++) {
      ColumnRecord c = cols.get(k);
      names[k] = c.name();
      ordinals[k] = schema.fieldIndex(c.name());
      types[k] = snap.originalType(c.name());
      protections[k] = c.protection();
      tokenBytes[k] = Integer.parseInt(c.options().getOrDefault("bytes", "16"));
      String id = c.options().get("domainKeyId");
      keyIds[k] = id == null ? 0 : DekId.parse(id).asLong();
      maskShows[k] = c.options().get("show");
      if (c.protection().equals("deterministic")) {
        encoding = schema.fields()[ordinals[k]].dataType() instanceof BinaryType ? CellEncoding.BINARY
            : CellEncoding.BASE64;
      }
    }
    DomainOpenings.Opening[] openings = new DomainOpenings.Opening[n];
    if (!s.shallow) {
      try {
        openings = DomainOpenings.resolve(snap, java.util.Arrays.asList(names), s.domainStore, s.allowedKeys, s.keyService,
            spark.sparkContext().hadoopConfiguration());
      } catch (ColumnsealException e) {
        r.find("unwrap", e.getMessage());
      }
    }
    ProtectedColumnScanner scanner = new ProtectedColumnScanner(snap.state.datasetId(), names, ordinals, types,
        protections, openings, tokenBytes, keyIds, maskShows, encoding, schema.fieldIndex(FILE_COLUMN),
        s.shallow ? null : s.keyService, s.samplesPerFile);
    List<ProtectedColumnScanner.Result> parts = stored.queryExecution().toRdd().toJavaRDD().mapPartitions(scanner)
        .collect();
    long shapes = 0;
    long problems = 0;
    for (ProtectedColumnScanner.Result p : parts) {
      r.cellsChecked += p.cells;
      r.samplesDecrypted += p.samples;
      for (String m : p.shape) {
        if (shapes++ < 20) {
          r.find("protection-shape", m);
        }
      }
      shapes += p.shapeCount - p.shape.size();
      for (String m : p.problems) {
        if (problems++ < 20) {
          r.find("cells", m);
        }
      }
      problems += p.problemCount - p.problems.size();
    }
    if (shapes > 20) {
      r.find("protection-shape", (shapes - 20) + " more values of the wrong shape like the ones above");
    }
    if (problems > 20) {
      r.find("cells", (problems - 20) + " more cell problems like the ones above");
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
        OpeningKey k = kms.decrypt(d.wrapped(), d.id(), d.context());
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
