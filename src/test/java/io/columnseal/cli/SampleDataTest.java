package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardSchema;
import io.columnseal.samples.CardTransaction;
import io.columnseal.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataTest {
  private static final Path SAMPLES = Path.of("data-samples");
  private static final StructType SCHEMA = StructType.fromDDL(CardSchema.DDL);

  @TempDir Path dir;

  private static SparkSession spark() {
    return SharedSpark.session();
  }

  /** Compares a Spark row with the generator's row, value by value, in Java types. */
  static void assertSameRow(CardTransaction expected, Row actual, int index) {
    String at = "row " + index + ", column ";
    Object[] values = expected.values();
    assertEquals(values.length, actual.length(), "row " + index + " width");
    for (int i = 0; i < values.length; i++) {
      String column = at + CardSchema.COLUMNS.get(i);
      if (values[i] == null) {
        assertTrue(actual.isNullAt(i), column + " should be null");
      } else {
        assertFalse(actual.isNullAt(i), column + " should not be null");
      }
    }
    assertEquals(expected.cardNumber(), actual.getString(0), at + "card_number");
    assertEquals(expected.cardholderName(), actual.getString(1), at + "cardholder_name");
    assertEquals(expected.expiry(), actual.getDate(2).toLocalDate(), at + "expiry");
    assertEquals(expected.cvv(), actual.getString(3), at + "cvv");
    assertEquals(expected.streetAddress(), actual.getString(4), at + "street_address");
    assertEquals(expected.city(), actual.getString(5), at + "city");
    assertEquals(expected.state(), actual.getString(6), at + "state");
    assertEquals(expected.zip(), actual.getString(7), at + "zip");
    assertEquals(expected.cardType(), actual.getString(8), at + "card_type");
    assertEquals(expected.company(), actual.getString(9), at + "company");
    // equals, not compareTo: the scale must be 2 on both sides.
    assertEquals(expected.amount(), actual.getDecimal(10), at + "amount");
    assertEquals(expected.txnTs().toInstant(ZoneOffset.UTC), actual.getTimestamp(11).toInstant(),
        at + "txn_ts");
  }

  static void assertSameRows(List<CardTransaction> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size(), "row count");
    for (int i = 0; i < expected.size(); i++) {
      assertSameRow(expected.get(i), actual.get(i), i);
    }
  }

  @Test
  void csvReadBackBySparkGivesTheGeneratorsValues() throws IOException {
    long seed = 4242;
    int rows = 3000;
    Path csv = dir.resolve("cards.csv");
    CardDataGenerator.writeCsv(seed, rows, csv);
    Dataset<Row> read = SampleData.readCsv(spark(), csv.toString());
    assertEquals(SCHEMA, read.schema());
    assertSameRows(CardDataGenerator.rows(seed, rows), read.collectAsList());
  }

  @Test
  void committedCsvReadBySparkGivesTheDefaultSeedsRows() {
    List<Row> read = SampleData.readCsv(spark(), SAMPLES.resolve("financial.csv").toString())
        .collectAsList();
    assertSameRows(
        CardDataGenerator.rows(CardDataGenerator.DEFAULT_SEED, CardDataGenerator.DEFAULT_ROWS), read);
  }

  @Test
  void committedParquetEqualsTheCommittedCsvRowForRowAndTypeForType() throws IOException {
    Path parquet = SAMPLES.resolve("financial.parquet");
    assertTrue(Files.isRegularFile(parquet), "a single file, not a directory");
    Dataset<Row> fromParquet = spark().read().parquet(parquet.toString());
    Dataset<Row> fromCsv = SampleData.readCsv(spark(), SAMPLES.resolve("financial.csv").toString());
    assertEquals(SCHEMA, fromParquet.schema());
    assertEquals(fromCsv.schema(), fromParquet.schema());
    List<Row> parquetRows = fromParquet.collectAsList();
    assertEquals(fromCsv.collectAsList(), parquetRows);
    assertSameRows(
        CardDataGenerator.rows(CardDataGenerator.DEFAULT_SEED, CardDataGenerator.DEFAULT_ROWS),
        parquetRows);
  }

  @Test
  void writesOneParquetFileWithMicrosecondTimestampsAndLeavesTheCallersSettingsAlone()
      throws IOException {
    Path csv = dir.resolve("small.csv");
    Path parquet = dir.resolve("small.parquet");
    CardDataGenerator.writeCsv(11, 300, csv);
    Files.writeString(parquet, "an older file is replaced");

    SampleData.writeParquet(spark(), csv, parquet);

    assertTrue(Files.isRegularFile(parquet));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("small.csv", "small.parquet"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no staging left behind");
    }
    assertSameRows(CardDataGenerator.rows(11, 300),
        spark().read().parquet(parquet.toString()).collectAsList());
    MessageType footer = footerSchema(parquet);
    assertEquals(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS),
        footer.getType("txn_ts").getLogicalTypeAnnotation());
    assertEquals(LogicalTypeAnnotation.decimalType(2, 12),
        footer.getType("amount").getLogicalTypeAnnotation());
    assertEquals("INT96", spark().conf().get("spark.sql.parquet.outputTimestampType"),
        "the shared session keeps Spark's default");
  }

  private static MessageType footerSchema(Path parquet) throws IOException {
    var input = HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(parquet.toUri()), new Configuration());
    try (ParquetFileReader reader = ParquetFileReader.open(input)) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }
}
