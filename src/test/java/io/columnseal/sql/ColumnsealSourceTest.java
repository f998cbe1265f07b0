package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.testserver.KmsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 1: format("columnseal") and USING columnseal read a dataset in place. */
class ColumnsealSourceTest {
  @TempDir
  Path tmp;

  static DataFrameReader reader(JobTestKit kit) {
    return JobTestKit.spark().read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString());
  }

  @Test
  void everyTypeComesBackExactlyThroughDataFrameAndSql() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = EncryptDecryptRoundTripTest.EVERY_TYPE;
    Dataset<Row> input = spark.createDataFrame(EncryptDecryptRoundTripTest.everyTypeRows(), schema);
    String src = tmp.resolve("types.parquet").toString();
    input.write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    encrypted.remove("id");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("types").inputPath(src).inputFormat("parquet")
        .columns(encrypted).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).build());

    Dataset<Row> viaFormat = reader(kit).load(enc);
    assertEquals(schema.simpleString(), viaFormat.schema().simpleString());
    assertSameRows(input.orderBy("id").collectAsList(), viaFormat.orderBy("id").collectAsList(), schema);

    spark.sql("CREATE OR REPLACE TEMPORARY VIEW every_type USING columnseal OPTIONS (path '" + enc
        + "', 'kms.provider' 'local', 'kms.keyring' '" + kit.keyringFile + "')");
    Dataset<Row> viaSql = spark.sql("SELECT * FROM every_type ORDER BY id");
    assertEquals(schema.simpleString(), viaSql.schema().simpleString());
    assertSameRows(input.orderBy("id").collectAsList(), viaSql.collectAsList(), schema);
    spark.sql("DROP TABLE IF EXISTS every_type_table");
    spark.sql("CREATE TABLE every_type_table USING columnseal OPTIONS ('kms.provider' 'local', 'kms.keyring' '"
        + kit.keyringFile + "') LOCATION '" + enc + "'");
    try {
      assertSameRows(input.orderBy("id").collectAsList(),
          spark.sql("SELECT * FROM every_type_table ORDER BY id").collectAsList(), schema);
    } finally {
      spark.sql("DROP TABLE IF EXISTS every_type_table");
    }
    // Equality on an encrypted column works after decryption (Spark evaluates it on clear values).
    assertEquals(List.of(1), spark.sql("SELECT id FROM every_type WHERE s = 'plain ascii'").collectAsList().stream()
        .map(r -> r.getInt(0)).toList());
  }

  @Test
  void theCsvSampleComesBackExactlyAndPlansShowNoValue() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    Dataset<Row> expected = JobTestKit.sampleInput();
    Dataset<Row> read = reader(kit).load(enc);
    assertEquals(expected.schema().simpleString(), read.schema().simpleString());
    assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(read));

    Row first = expected.orderBy("card_number").first();
    String card = first.getString(0);
    Dataset<Row> one = read.where("card_number = '" + card + "' AND city = '" + first.getAs("city") + "'");
    assertEquals(List.of(first), one.collectAsList());
    String plan = read.select("card_number", "city").where("city = 'x'").queryExecution().toString();
    assertTrue(plan.contains("Format: columnseal dataset cards-test (manifest version 1"), plan);
    assertTrue(plan.contains("Location: LiveFileIndex"), plan);
    assertFalse(plan.contains(kit.keyringFile.toString()), "no option value in the plan: " + plan);
  }

  @Test
  void aQueryOfClearColumnsMakesNoKmsCall() {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/test", kms.createKey("cards"));
      String enc = tmp.resolve("enc").toString();
      JobTestKit kit = new JobTestKit(tmp);
      EncryptJob.run(spark, kit.sampleCsv(enc).keyService(kms.spec()).build());
      kms.log().clear();
      DataFrameReader r = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString());
      Dataset<Row> cards = r.load(enc);
      List<Row> clear = JobTestKit.sorted(cards.select("city", "amount").where("amount > 100"));
      assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select("city", "amount").where("amount > 100")), clear);
      assertEquals(List.of(), kms.log().entries(), "a clear-only query makes no KMS call");

      List<Row> names = JobTestKit.sorted(cards.select("cardholder_name"));
      assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select("cardholder_name")), names);
      assertTrue(kms.log().of("Decrypt").size() >= 1, "an encrypted column is opened through KMS");
    }
  }

  @Test
  void badDatasetsFailWithOneLineAndNoRow() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    DatasetException notOurs = assertThrows(DatasetException.class, () -> reader(kit).load(plain.toString()));
    assertTrue(notOurs.getMessage().contains(plain + " is not a columnseal dataset"), notOurs.getMessage());

    ConfigException unknown = assertThrows(ConfigException.class,
        () -> reader(kit).option("kms.keyRing2", "x").load(plain.toString()));
    assertTrue(unknown.getMessage().startsWith("Unknown columnseal reader option kms.keyRing2"), unknown.getMessage());
    ConfigException bad = assertThrows(ConfigException.class,
        () -> reader(kit).option("onUndecryptable", "zero").load(plain.toString()));
    assertTrue(bad.getMessage().contains("onUndecryptable"), bad.getMessage());

    // The file replaced by one with a cell copied into another row: its size is not the
    // manifest's, so no row of it is read, not even of a clear column.
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(1).build());
    Path file = StoredFiles.onlyDataFile(enc);
    SparkSession spark = JobTestKit.spark();
    assertEquals(1000, reader(kit).load(enc).select("city").count());
    // A file the manifest does not list, copied in beside the live one: never read.
    Files.copy(file, file.resolveSibling("part-99999-copied.snappy.parquet"));
    assertEquals(1000, reader(kit).load(enc).select("city").collectAsList().size());

    long size = Files.size(file);
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    rows.set(4, StoredFiles.with(rows.get(4), 0, rows.get(3).getAs("card_number")));
    StoredFiles.replace(spark, file, schema, rows);
    assertTrue(Files.size(file) != size, "the rewritten file differs in size");
    for (String column : List.of("city", "card_number")) {
      Exception e = assertThrows(Exception.class, () -> reader(kit).load(enc).select(column).collectAsList());
      DatasetException ours = assertInstanceOf(DatasetException.class, BadInputTest.ours(e), String.valueOf(e));
      assertTrue(ours.getMessage().startsWith("file " + file.toUri().toString().replace("file:///", "file:/"))
          || ours.getMessage().startsWith("file file:" + file), ours.getMessage());
      assertTrue(ours.getMessage().contains("bytes, but the manifest records " + size + " bytes for it"),
          ours.getMessage());
    }
  }

  @Test
  void aCellFlippedInPlaceFailsNamingColumnFileAndRowNotValue() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(1).build());
    Path file = StoredFiles.onlyDataFile(enc);
    byte[] cell = StoredFiles.rows(JobTestKit.spark(), file).get(7).getAs("cvv");
    // The cell's tag (its last 16 bytes) sits verbatim in the file (cells do not compress):
    // flip one byte of it in place, so the file keeps the size the manifest records.
    byte[] tag = Arrays.copyOfRange(cell, cell.length - 16, cell.length);
    byte[] bytes = Files.readAllBytes(file);
    int at = -1;
    for (int i = 0; i + tag.length <= bytes.length && at < 0; i++) {
      if (Arrays.equals(bytes, i, i + tag.length, tag, 0, tag.length)) {
        at = i;
      }
    }
    assertTrue(at >= 0, "the cell's tag is in the file");
    bytes[at + 3] ^= 1;
    Files.write(file, bytes);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc")); // Hadoop's local checksum

    assertEquals(1000, reader(kit).load(enc).select("city").count(), "clear columns open nothing");
    Exception e = assertThrows(Exception.class, () -> reader(kit).load(enc).select("cvv").collectAsList());
    io.columnseal.jobs.decrypt.UnreadableCellException ours = assertInstanceOf(
        io.columnseal.jobs.decrypt.UnreadableCellException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("cvv", ours.column());
    assertEquals(7, ours.row());
    assertTrue(ours.file().endsWith(file.getFileName().toString()), ours.file());
    String cvv = JobTestKit.sampleInput().collectAsList().get(7).getAs("cvv");
    assertFalse(ours.getMessage().contains(cvv + " ") || ours.getMessage().endsWith(cvv), ours.getMessage());
  }

  static void assertSameRows(List<Row> want, List<Row> got, StructType schema) {
    assertEquals(want.size(), got.size());
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < schema.size(); c++) {
        Object a = want.get(r).get(c);
        Object b = got.get(r).get(c);
        String where = "row " + r + " column " + schema.fieldNames()[c];
        if (a instanceof byte[]) {
          assertArrayEquals((byte[]) a, (byte[]) b, where);
        } else if (a instanceof Float && Float.isNaN((Float) a)) {
          assertEquals(Float.floatToRawIntBits((Float) a), Float.floatToRawIntBits((Float) b), where);
        } else if (a instanceof Double && Double.isNaN((Double) a)) {
          assertEquals(Double.doubleToRawLongBits((Double) a), Double.doubleToRawLongBits((Double) b), where);
        } else {
          assertEquals(a, b, where);
        }
      }
    }
  }
}
