package io.columnseal.jobs.decrypt;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.JobFailures;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.Commit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code decrypt --quarantine}: the malformed rows that encrypt runs quarantined
 * (docs/FORMAT.md section 9), as plaintext {@code source_file, line, record}, for someone
 * allowed to see them to repair and re-run. Reads the quarantine folders of the runs the
 * manifest records, never a folder listing of other runs.
 */
public final class QuarantineJob {
  private QuarantineJob() {}

  public static RunSummary decrypt(SparkSession spark, DecryptSettings s) {
    try {
      return run(spark, s);
    } catch (RuntimeException e) {
      throw JobFailures.unwrap(e);
    } finally {
      // The job's DEKs end with it (this JVM's entries; executors' expire after DataKeyCache.IDLE).
      DataKeyCache.shared().clear();
    }
  }

  private static RunSummary run(SparkSession spark, DecryptSettings s) {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetSnapshot snap = DatasetSnapshot.openComplete(conf, s.datasetPath, s.manifestPath,
        KeyTrust.macKey(s.keyService, s.manifestMacKey));
    List<String> dirs = new ArrayList<>();
    java.util.Set<String> quarantineRuns = new java.util.HashSet<>();
    for (Commit c : snap.state.history()) {
      if (c.operation().containsKey("quarantine") && c.stats().getOrDefault("quarantinedRows", 0L) > 0) {
        dirs.add(QuarantineFolder.runDir(snap.manifestDir, c.runId()).toString());
        quarantineRuns.add(c.runId());
      }
    }
    if (dirs.isEmpty()) {
      throw new DatasetException("dataset " + snap.state.datasetId() + " at " + s.datasetPath + " has no quarantined"
          + " rows: no committed run quarantined any (input.malformed=quarantine)");
    }
    OutputPlacement.check(conf, s.outputPath, s.datasetPath, snap.manifestDir, snap.state.history());
    KeyTrust.check(s.allowedKeys, snap.state, KeyServices.shared(s.keyService), "decrypt --quarantine");
    PlaintextOutput output = PlaintextOutput.at(conf, s.outputPath, s.overwrite);
    KeyAccessProbe.check(s.keyService, KeyAccessProbe.onePerKey(snap.state.deks().values(), quarantineRuns));
    // Named as the cells' associated data binds them, the record column opens like a data column.
    Dataset<Row> files = spark.read().parquet(dirs.toArray(new String[0]))
        .withColumnRenamed("record", QuarantineFolder.CELL_COLUMN);
    LongAccumulator rows = spark.sparkContext().longAccumulator("columnseal.decrypt.quarantine.rows");
    LongAccumulator[] nullCells = s.onError == OnCellError.NULL
        ? new LongAccumulator[] {spark.sparkContext().longAccumulator("columnseal.decrypt.quarantine.nullCells")}
        : null;
    Dataset<Row> opened = DecryptJob.open(spark, snap, files, List.of(QuarantineFolder.CELL_COLUMN),
        new DataType[] {DataTypes.StringType}, s, rows, nullCells, false)
        .selectExpr("source_file", "line", QuarantineFolder.CELL_COLUMN + " AS record");
    output.write(spark, "columnseal decrypt --quarantine " + snap.state.datasetId(), opened, w -> DecryptJob.save(w, s));

    RunSummary r = new RunSummary();
    r.command = "decrypt --quarantine";
    r.datasetId = snap.state.datasetId();
    r.input = String.join(",", dirs);
    r.output = s.outputPath;
    r.manifestVersion = snap.state.version();
    r.files = dirs.size();
    r.deks = snap.state.deks().size();
    r.rowsRead = rows.value();
    r.rowsWritten = rows.value();
    r.startedAt = started.toString();
    r.durationMillis = Instant.now().toEpochMilli() - started.toEpochMilli();
    r.cellsPerColumn = null;
    r.kmsCalls = null;
    r.decryptedColumns = List.of("record");
    if (nullCells != null) {
      r.nullCellsPerColumn = new java.util.LinkedHashMap<>();
      r.nullCellsPerColumn.put("record", nullCells[0].value());
    }
    return r;
  }
}
