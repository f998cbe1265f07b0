package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.UnreadableCellException;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions whose Spark settings would change what a read of the live files sees: files of many
 * row groups under a session that asks Spark to split them (small maxPartitionBytes), a session
 * that skips corrupt files, a session set up for plain-Spark page reads of another dataset.
 */
class SplitFilesTest {
  @TempDir
  Path tmp;

  private static Dataset<Row> rows(SparkSession spark) {
    return spark.range(0, 40000).selectExpr("id", "concat('4111-', lpad(cast(id AS string), 12, '0')) AS card",
        "concat('n', id % 97) AS name");
  }

  /** One file of many 64 KiB row groups, uncompressed (so a cell sits verbatim in it). */
  private String encryptOneBigFile(JobTestKit kit, String enc, boolean page) {
    SparkSession spark = JobTestKit.spark();
    Configuration hc = spark.sparkContext().hadoopConfiguration();
    hc.setInt("parquet.block.size", 64 * 1024);
    hc.setInt("parquet.page.size", 8 * 1024);
    spark.conf().set("spark.sql.parquet.compression.codec", "uncompressed");
    try {
      EncryptSettings.Builder b = EncryptSettings.builder().datasetId("big").inputPath("(memory)").keyService(kit.keys)
          .kmsKey("alias/test").outputPath(enc).columns(List.of("card", "name")).partitions(1);
      EncryptJob.run(spark, page ? b.encryptMode(EncryptMode.PAGE).build() : b.build(), rows(spark));
    } finally {
      hc.unset("parquet.block.size");
      hc.unset("parquet.page.size");
      spark.conf().unset("spark.sql.parquet.compression.codec");
    }
    return enc;
  }

  private static long firstRowGroupRows(Path file) throws Exception {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))) {
      assertTrue(r.getFooter().getBlocks().size() > 2, "several row groups");
      return r.getFooter().getBlocks().get(0).getRowCount();
    }
  }

  private static SparkSession splitting() {
    SparkSession s = JobTestKit.spark().newSession();
    s.conf().set("spark.sql.files.maxPartitionBytes", "65536");
    s.conf().set("spark.sql.files.openCostInBytes", "0");
    return s;
  }

  private static org.apache.spark.sql.DataFrameReader reader(SparkSession spark, JobTestKit kit) {
    return spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString());
  }

  @Test
  void bigFilesOfBothModesComeBackExactlyUnderASplittingSession() {
    JobTestKit kit = new JobTestKit(tmp);
    List<Row> expected = JobTestKit.sorted(rows(JobTestKit.spark()));
    String cells = encryptOneBigFile(kit, tmp.resolve("cells").toString(), false);
    String pages = encryptOneBigFile(kit, tmp.resolve("pages").toString(), true);
    SparkSession s = splitting();
    assertEquals(1, reader(s, kit).load(cells).rdd().getNumPartitions(), "a cell file is read whole by one task");
    assertTrue(reader(s, kit).load(pages).rdd().getNumPartitions() > 1, "a page file splits by row groups");
    for (String enc : List.of(cells, pages)) {
      assertEquals(expected, JobTestKit.sorted(reader(s, kit).load(enc)), enc);
    }
  }

  /** A cell copied over the first cell of the second row group: a task starting there would not see it. */
  @Test
  void aCellCopiedToTheStartOfALaterRowGroupFailsTheDataSourceAndDecrypt() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encryptOneBigFile(kit, tmp.resolve("replay").toString(), false);
    Path file = StoredFiles.onlyDataFile(enc);
    int second = (int) firstRowGroupRows(file);
    copyCell(file, 0, second);

    Exception read = assertThrows(Exception.class,
        () -> reader(splitting(), kit).load(enc).select("id", "card").collectAsList());
    UnreadableCellException ours = assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(read),
        String.valueOf(read));
    assertEquals(second, ours.row());
    Exception decrypt = assertThrows(Exception.class,
        () -> DecryptJob.run(splitting(), kit.decryptTo(enc, tmp.resolve("dec").toString(), "parquet")));
    assertEquals(second, assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(decrypt),
        String.valueOf(decrypt)).row());
  }

  @Test
  void verifyUnderASplittingSessionFindsACellCopiedToALaterRowGroup() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encryptOneBigFile(kit, tmp.resolve("replay").toString(), false);
    Path file = StoredFiles.onlyDataFile(enc);
    int second = (int) firstRowGroupRows(file);
    copyCell(file, 0, second);
    io.columnseal.jobs.verify.VerifyReport v = io.columnseal.jobs.verify.VerifyJob.run(splitting(),
        new io.columnseal.jobs.verify.VerifySettings(enc, null, kit.keys, false, 3, List.of(), null));
    assertTrue(!v.ok() && v.toTerminal().contains("at row " + second), v.toTerminal());
  }

  /** Garbles the first data page of one live file (its footer kept) under a session that skips corrupt files. */
  @Test
  void decryptOfBothModesFailsOnAnUnreadableLiveFileWhenTheSessionSkipsCorruptFiles() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    for (boolean page : List.of(false, true)) {
      String enc = tmp.resolve(page ? "pages" : "cells").toString();
      EncryptSettings.Builder b = kit.sampleCsv(enc);
      EncryptJob.run(JobTestKit.spark(), page ? b.encryptMode(EncryptMode.PAGE).build() : b.build());
      Path victim;
      try (java.util.stream.Stream<Path> s = Files.walk(Path.of(enc))) {
        victim = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
      }
      byte[] bytes = Files.readAllBytes(victim);
      for (int i = 4; i < Math.min(bytes.length - 8, 200); i++) {
        bytes[i] = (byte) 0xFF;
      }
      Files.write(victim, bytes);
      Files.deleteIfExists(victim.resolveSibling("." + victim.getFileName() + ".crc"));
      SparkSession lenient = JobTestKit.spark().newSession();
      lenient.conf().set("spark.sql.files.ignoreCorruptFiles", "true");
      String out = tmp.resolve(page ? "dec-pages" : "dec-cells").toString();
      assertThrows(Exception.class, () -> DecryptJob.run(lenient, kit.decryptTo(enc, out, "parquet")),
          (page ? "page" : "cell") + " mode: decrypt must not skip the rest of a live file");
    }
  }

  /** Copies the {@code card} cell of row {@code from} over that of row {@code to}, in place, wherever it sits. */
  private static void copyCell(Path file, int from, int to) throws Exception {
    List<Row> stored = StoredFiles.rows(JobTestKit.spark(), file);
    byte[] source = stored.get(from).getAs("card");
    byte[] target = stored.get(to).getAs("card");
    assertEquals(source.length, target.length);
    byte[] bytes = Files.readAllBytes(file);
    int copies = 0;
    for (int i = 0; i + target.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + target.length, target, 0, target.length)) {
        System.arraycopy(source, 0, bytes, i, source.length);
        copies++;
      }
    }
    assertTrue(copies >= 1, "the cell sits verbatim in the file (its page, maybe its statistics too)");
    Files.write(file, bytes);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc")); // Hadoop's local checksum
  }

  /** READING.md's plain-Spark page read sets columnseal keys session-wide; the data source ignores them. */
  @Test
  void sessionColumnsealKeysForAnotherDatasetDoNotReachTheScan() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String a = tmp.resolve("a").toString();
    String b = tmp.resolve("b").toString();
    EncryptJob.run(spark, kit.sampleCsv(a).encryptMode(EncryptMode.PAGE).build());
    EncryptJob.run(spark, kit.sampleCsv(b).encryptMode(EncryptMode.PAGE).manifestPath(tmp.resolve("bman").toString())
        .build());
    SparkSession s = spark.newSession();
    s.conf().set("parquet.crypto.factory.class", "io.columnseal.jobs.decrypt.PageDecryption");
    s.conf().set("columnseal.page.dataset", b);
    s.conf().set("columnseal.page.manifestPath", tmp.resolve("bman").toString());
    s.conf().set("columnseal.kms.provider", "local");
    s.conf().set("columnseal.kms.keyring", kit.keyringFile.toString());
    assertEquals(1000, s.read().parquet(b).count(), "the session reads b as READING.md says");
    s.conf().set("columnseal.manifest.macKey", "alias/test"); // neither dataset has MAC'd commits
    List<Row> expected = JobTestKit.sorted(JobTestKit.sampleInput());
    for (String on : List.of("fail", "null")) {
      assertEquals(expected, JobTestKit.sorted(reader(s, kit).option("onUndecryptable", on).load(a)), on);
    }
  }
}
