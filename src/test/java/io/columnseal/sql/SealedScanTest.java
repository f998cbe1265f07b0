package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.decrypt.UnreadableCellException;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data source as Spark's own Parquet scan: what the switch from a row relation to a file
 * relation must not change or open up (writes through it, Spark's skip-a-bad-file settings,
 * Parquet's row reader) and what it gains (columnar batches where no cell is opened).
 */
class SealedScanTest {
  @TempDir
  Path tmp;

  private static EncryptSettings.Builder page(EncryptSettings.Builder b) {
    return b.encryptMode(io.columnseal.jobs.encrypt.EncryptMode.PAGE);
  }

  @Test
  void anInsertIntoAColumnsealTableOrViewIsRefusedAndTheDatasetIsUntouched() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    // One live file: Spark's own check refuses a write into a relation with several root paths.
    EncryptJob.run(spark, kit.sampleCsv(enc).partitions(1).build());
    Map<String, String> before = digests(enc);
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW sealed_view USING columnseal OPTIONS (path '" + enc
        + "', 'kms.provider' 'local', 'kms.keyring' '" + kit.keyringFile + "')");
    spark.sql("CREATE TABLE sealed_table USING columnseal OPTIONS ('kms.provider' 'local', 'kms.keyring' '"
        + kit.keyringFile + "') LOCATION '" + enc + "'");
    JobTestKit.sampleInput().createOrReplaceTempView("plain_rows");
    try {
      for (String sql : List.of("INSERT INTO sealed_view SELECT * FROM plain_rows",
          "INSERT OVERWRITE TABLE sealed_view SELECT * FROM plain_rows",
          "INSERT INTO sealed_table SELECT * FROM plain_rows",
          "INSERT OVERWRITE TABLE sealed_table SELECT * FROM plain_rows")) {
        Exception e = assertThrows(Exception.class, () -> spark.sql(sql).collectAsList(), sql);
        assertTrue(String.valueOf(e).contains("Can only write data to relations with a single path"), sql + ": " + e);
        assertEquals(before, digests(enc), sql + " changed the dataset's files");
      }
      assertEquals(1000, spark.sql("SELECT * FROM sealed_table").count());
    } finally {
      spark.sql("DROP TABLE IF EXISTS sealed_table");
      spark.sql("DROP VIEW IF EXISTS sealed_view");
    }
  }

  @Test
  void sparksSkipABadFileSettingsNeverSkipALiveFile() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(1).build());
    SparkSession lenient = JobTestKit.spark().newSession();
    lenient.conf().set("spark.sql.files.ignoreCorruptFiles", "true");
    lenient.conf().set("spark.sql.files.ignoreMissingFiles", "true");
    Path file = StoredFiles.onlyDataFile(enc);
    byte[] cell = StoredFiles.rows(JobTestKit.spark(), file).get(7).getAs("cvv");
    // The cell's tag (its last 16 bytes) sits verbatim in the file (cells do not compress).
    byte[] tag = java.util.Arrays.copyOfRange(cell, cell.length - 16, cell.length);
    assertTrue(StoredFiles.flipInEveryDataFile(enc, tag) > 0, "the cell's tag is in the file");
    Exception e = assertThrows(Exception.class, () -> reader(lenient, kit).load(enc).select("cvv").collectAsList());
    UnreadableCellException ours = assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(e),
        String.valueOf(e));
    assertEquals("cvv", ours.column());

    Dataset<Row> relation = reader(lenient, kit).load(enc);
    Files.delete(file);
    Exception missing = assertThrows(Exception.class, () -> relation.select("city").collectAsList());
    assertTrue(String.valueOf(missing).contains(file.getFileName().toString()), String.valueOf(missing));
  }

  @Test
  void parquetsRowReaderGivesTheSameRowsInBothModes() {
    JobTestKit kit = new JobTestKit(tmp);
    String cells = tmp.resolve("cells").toString();
    String pages = tmp.resolve("pages").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(cells).build());
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(pages)).build());
    SparkSession rows = JobTestKit.spark().newSession();
    rows.conf().set("spark.sql.parquet.enableVectorizedReader", "false");
    List<Row> expected = JobTestKit.sorted(JobTestKit.sampleInput());
    for (String enc : List.of(cells, pages)) {
      assertEquals(expected, JobTestKit.sorted(reader(rows, kit).load(enc)), enc);
      assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select("city", "amount").where("amount > 100")),
          JobTestKit.sorted(reader(rows, kit).load(enc).select("city", "amount").where("amount > 100")), enc);
    }
  }

  /** The stored types come from the manifest (no footer read): base64 cells are text, and open. */
  @Test
  void base64CellsComeBackExactly() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("b64").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encoding(io.columnseal.jobs.dataset.CellEncoding.BASE64)
        .build());
    SparkSession spark = JobTestKit.spark();
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(reader(spark, kit).load(enc)));
  }

  @Test
  void clearColumnsAndPagesAreReadInColumnarBatchesCellsAsRows() {
    JobTestKit kit = new JobTestKit(tmp);
    String cells = tmp.resolve("cells").toString();
    String pages = tmp.resolve("pages").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(cells).build());
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(pages)).build());
    SparkSession spark = JobTestKit.spark();
    assertTrue(plan(reader(spark, kit).load(cells).select("city", "amount")).contains("Batched: true"));
    assertTrue(plan(reader(spark, kit).load(pages).select("card_number", "city")).contains("Batched: true"));
    String opening = plan(reader(spark, kit).load(cells).select("card_number", "city"));
    assertTrue(opening.contains("Batched: false"), opening);
    assertFalse(opening.contains(kit.keyringFile.toString()), opening);
  }

  /** Spark prunes a clear struct to the fields a query reads; Parquet must read it so beside opened cells. */
  @Test
  void aClearStructColumnReadBesideAnOpenedColumnGivesTheFieldsAsked() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("nested").toString();
    Dataset<Row> in = spark.range(0, 20).selectExpr("id", "concat('secret-', id) AS card",
        "named_struct('a', concat('a', id), 'b', concat('b', id), 'n', cast(id AS int)) AS s");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("nested").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).columns(List.of("card")).build(), in);
    Dataset<Row> read = reader(spark, kit).load(enc);
    for (String[] columns : List.of(new String[] {"id", "card", "s.b"}, new String[] {"id", "card", "s.n"},
        new String[] {"id", "s.b"}, new String[] {"card", "s"})) {
      assertEquals(JobTestKit.sorted(in.selectExpr(columns)), JobTestKit.sorted(read.selectExpr(columns)),
          String.join(", ", columns));
    }
  }

  private static String plan(Dataset<Row> df) {
    return df.queryExecution().executedPlan().toString();
  }

  private static org.apache.spark.sql.DataFrameReader reader(SparkSession spark, JobTestKit kit) {
    return spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString());
  }

  /** Every file under {@code dir} (manifest included) with its SHA-256. */
  private static Map<String, String> digests(String dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(Path.of(dir))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(Path.of(dir).relativize(f).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
