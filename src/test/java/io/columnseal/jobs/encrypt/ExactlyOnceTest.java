package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest holds exactly the DEKs of the task attempts Spark committed, with their cell
 * counts counted once, whatever failed on the way (docs/EXACTLY-ONCE.md).
 */
class ExactlyOnceTest {
  @TempDir
  Path tmp;

  @Test
  void aTaskThatFailsAtARandomCellOnItsFirstAttemptLeavesOnlyTheRetrysDek() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> input = JobTestKit.sampleInput().repartition(3);
    FailFirstAttempt fault = FailFirstAttempt.atRandom(false);
    Dataset<Row> flaky = input.mapPartitions(fault, Encoders.row(input.schema()));
    RunSummary run = EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(0).build(), flaky);

    ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration())
        .read().orElseThrow();
    assertEquals(3, m.deks().size(), fault + ": one DEK per committed partition; the failed attempt's DEK is not recorded");
    assertEquals(3, run.deks, fault.toString());
    assertEquals(cellsPerDek(enc), manifestCells(m), fault + ": the DEKs in the data are exactly the manifest's, counted once");
    assertEquals(4000L, m.lastCommit().stats().entrySet().stream()
        .filter(e -> e.getKey().startsWith("cells.")).mapToLong(Map.Entry::getValue).sum(), fault.toString());
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")), fault.toString());
  }

  @Test
  void aTaskThatFailsAtARandomCellOnEveryAttemptCommitsNothing() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> input = JobTestKit.sampleInput().repartition(3);
    FailFirstAttempt fault = FailFirstAttempt.atRandom(true);
    Dataset<Row> broken = input.mapPartitions(fault, Encoders.row(input.schema()));
    Exception e = assertThrows(Exception.class,
        () -> EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(0).build(), broken));
    assertTrue(String.valueOf(e.getMessage()).contains("injected failure"), fault + ": " + e);
    assertTrue(ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration()).read().isEmpty(),
        fault.toString());
    assertEquals(List.of(), DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc)),
        fault + ": no data file is left outside the committer's temporary folders");
    assertEquals(List.of(), BadInputTest.pendingRecords(enc), fault + ": no pending record");
  }

  @Test
  void partitionsWithNothingToEncryptMakeNoDek() {
    JobTestKit kit = new JobTestKit(tmp);
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("secret", DataTypes.StringType);
    List<Row> rows = List.of(RowFactory.create(0, "a"), RowFactory.create(1, "b"), RowFactory.create(2, "c"),
        RowFactory.create(3, null), RowFactory.create(4, null));
    // 8 slices of 5 rows: slices 1, 3, 5, 6, 7 hold one row each; 6 and 7 only nulls to encrypt.
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(JobTestKit.spark().sparkContext());
    Dataset<Row> input = JobTestKit.spark().createDataFrame(jsc.parallelize(rows, 8), schema);
    String enc = tmp.resolve("enc").toString();
    RunSummary run = EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("sparse").inputPath("(memory)")
        .columns(List.of("secret")).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).build(), input);
    assertEquals(3, run.deks, "GenerateDataKey only for the three partitions with a value to encrypt");
    assertEquals(3L, run.kmsCalls.get("GenerateDataKey"));
    assertEquals(3L, run.cellsPerColumn.get("secret"));
    assertEquals(5, run.rowsWritten);
  }

  static Map<Long, Long> cellsPerDek(String dataset) {
    Map<Long, Long> out = new HashMap<>();
    for (Row r : JobTestKit.spark().read().parquet(dataset).collectAsList()) {
      for (String c : JobTestKit.SENSITIVE) {
        byte[] cell = r.getAs(c);
        if (cell != null) {
          out.merge(CellFormat.dekIdOf(cell).asLong(), 1L, Long::sum);
        }
      }
    }
    return out;
  }

  static Map<Long, Long> manifestCells(ManifestState m) {
    Map<Long, Long> out = new HashMap<>();
    for (Map.Entry<DekId, io.columnseal.manifest.DekRecord> e : m.deks().entrySet()) {
      out.put(e.getKey().asLong(), e.getValue().cells());
    }
    return out;
  }

  /** Passes rows through; in one partition, throws after {@code after} rows on the first (or every) attempt. */
  static final class FailFirstAttempt implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final int after;
    private final boolean always;
    private long seed;

    FailFirstAttempt(int partition, int after, boolean always) {
      this.partition = partition;
      this.after = after;
      this.always = always;
    }

    /**
     * One of the 3 partitions of the 1000-row sample (333 or 334 rows each), failing at a
     * random row of it; the seed is in {@link #toString()} for a failure message.
     */
    static FailFirstAttempt atRandom(boolean always) {
      long seed = System.nanoTime();
      Random random = new Random(seed);
      FailFirstAttempt f = new FailFirstAttempt(random.nextInt(3), random.nextInt(333), always);
      f.seed = seed;
      return f;
    }

    @Override
    public String toString() {
      return "partition " + partition + " failing at row " + after + (always ? " on every attempt" : " on its first attempt")
          + " (seed " + seed + ")";
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskContext tc = TaskContext.get();
      boolean fail = tc.partitionId() == partition && (always || tc.attemptNumber() == 0);
      return new Iterator<>() {
        int n;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          if (fail && n++ == after) {
            throw new IllegalStateException("injected failure in partition " + partition);
          }
          Row r = rows.next();
          return r;
        }
      };
    }
  }
}
