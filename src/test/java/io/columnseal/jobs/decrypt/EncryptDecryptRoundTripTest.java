package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.CellFormat;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encrypt then decrypt gives back every row, value and type exactly. */
public class EncryptDecryptRoundTripTest {
  @TempDir
  Path tmp;

  @Test
  void partitionValuesComeBackAsTheyWereNotAsSparkWouldInferThem() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("branch", DataTypes.StringType)
        .add("card_number", DataTypes.StringType).add("day", DataTypes.StringType);
    List<Row> rows = List.of(RowFactory.create(1, "007", "4111111111111111", "2026-11-22"),
        RowFactory.create(2, "010", "5500000000000004", "2026-11-22"),
        RowFactory.create(3, "7", "340000000000009", "2026-11-23"));
    Dataset<Row> input = spark.createDataFrame(rows, schema);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("branches").inputPath("(memory)")
        .columns(List.of("card_number")).partitionBy(List.of("branch", "day")).keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).partitions(1).build(), input);

    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    // Inferred from folder names, branch=007 would be the int 7 and day a date.
    assertEquals(schema.simpleString(), decrypted.schema().simpleString());
    assertEquals(JobTestKit.sorted(input), JobTestKit.sorted(decrypted));
  }

  @Test
  void csvSampleRoundTripIsExact() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    RunSummary run = EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    assertEquals(1000, run.rowsWritten);
    assertEquals(1000L, run.cellsPerColumn.get("card_number"));

    Dataset<Row> expected = JobTestKit.sampleInput();
    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    assertEquals(expected.schema(), decrypted.schema());
    assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(decrypted));
  }

  @Test
  void parquetSampleRoundTripIsExact() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).inputPath(JobTestKit.SAMPLE_PARQUET).inputFormat("parquet")
        .inputOptions(java.util.Map.of()).inputSchema(null).build());
    Dataset<Row> expected = JobTestKit.spark().read().parquet(JobTestKit.SAMPLE_PARQUET);
    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    assertEquals(expected.schema().simpleString(), decrypted.schema().simpleString());
    assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(decrypted));
  }

  @Test
  void everyTypeRoundTripsWithNullsAndExtremes() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    Dataset<Row> input = spark.createDataFrame(everyTypeRows(), EVERY_TYPE);
    String src = tmp.resolve("types.parquet").toString();
    input.write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(EVERY_TYPE.fieldNames()));
    encrypted.remove("id");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("types").inputPath(src).inputFormat("parquet")
        .columns(encrypted).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).build());

    // Without keys: the clear column as it was, every encrypted column BINARY, original order.
    Dataset<Row> raw = spark.read().parquet(enc);
    assertArrayEquals(EVERY_TYPE.fieldNames(), raw.schema().fieldNames());
    for (StructField f : raw.schema().fields()) {
      assertEquals(f.name().equals("id") ? DataTypes.IntegerType : DataTypes.BinaryType, f.dataType(), f.name());
    }
    for (Row r : raw.collectAsList()) {
      for (int i = 1; i < r.size(); i++) {
        assertTrue(r.isNullAt(i) || CellFormat.looksLikeCell((byte[]) r.get(i)), "cell shape");
      }
    }

    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    // Spark reads every file column back as nullable; names, order and types must be exact.
    assertEquals(EVERY_TYPE.simpleString(), decrypted.schema().simpleString());
    List<Row> want = input.orderBy("id").collectAsList();
    List<Row> got = decrypted.orderBy("id").collectAsList();
    assertEquals(want.size(), got.size());
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < EVERY_TYPE.size(); c++) {
        Object a = want.get(r).get(c);
        Object b = got.get(r).get(c);
        if (a instanceof byte[]) {
          assertArrayEquals((byte[]) a, (byte[]) b, "row " + r + " column " + EVERY_TYPE.fieldNames()[c]);
        } else if (a instanceof Float && Float.isNaN((Float) a)) {
          assertEquals(Float.floatToRawIntBits((Float) a), Float.floatToRawIntBits((Float) b));
        } else if (a instanceof Double && Double.isNaN((Double) a)) {
          assertEquals(Double.doubleToRawLongBits((Double) a), Double.doubleToRawLongBits((Double) b));
        } else {
          assertEquals(a, b, "row " + r + " column " + EVERY_TYPE.fieldNames()[c]);
        }
      }
    }
    // -0.0 keeps its sign bit (assertEquals on boxed doubles already compares bits).
  }

  @Test
  void everyTypeCsvCanHoldRoundTripsFromCsvInput() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    // Spark's CSV source has no binary type; every other type goes through CSV text.
    StructType schema = new StructType(java.util.Arrays.stream(EVERY_TYPE.fields())
        .filter(f -> !f.name().equals("bin")).toArray(StructField[]::new));
    String ddl = schema.toDDL();
    String src = tmp.resolve("types.csv").toString();
    // Written as RFC 4180 (a quote doubled), the dialect encrypt reads by default; Spark's own
    // writer default escapes with a backslash.
    spark.createDataFrame(everyTypeRows(), EVERY_TYPE).drop("bin").coalesce(1)
        .write().option("header", "true").option("escape", "\"").csv(src);
    Dataset<Row> input = spark.read().option("header", "true").option("escape", "\"").schema(ddl).csv(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    encrypted.remove("id");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("types-csv").inputPath(src).inputFormat("csv")
        .inputOptions(java.util.Map.of("header", "true")).inputSchema(ddl).columns(encrypted)
        .keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).build());

    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    assertEquals(schema.simpleString(), decrypted.schema().simpleString());
    List<Row> want = input.orderBy("id").collectAsList();
    List<Row> got = decrypted.orderBy("id").collectAsList();
    assertEquals(5, want.size());
    assertEquals(want.size(), got.size());
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < schema.size(); c++) {
        Object a = want.get(r).get(c);
        Object b = got.get(r).get(c);
        if (a instanceof Float && Float.isNaN((Float) a)) {
          assertTrue(Float.isNaN((Float) b));
        } else if (a instanceof Double && Double.isNaN((Double) a)) {
          assertTrue(Double.isNaN((Double) b));
        } else {
          assertEquals(a, b, "row " + r + " column " + schema.fieldNames()[c]);
        }
      }
    }
  }

  @Test
  void base64CellsRoundTripAsStrings() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encoding(CellEncoding.BASE64).build());
    Dataset<Row> raw = JobTestKit.spark().read().parquet(enc);
    assertEquals(DataTypes.StringType, raw.schema().apply("cvv").dataType());
    Dataset<Row> decrypted = decrypt(kit, enc, "parquet");
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(decrypted));
  }

  @Test
  void someColumnsOnlyAndCsvOutput() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    String out = tmp.resolve("dec.csv").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "csv", List.of("cvv"), kit.keys, false));
    Dataset<Row> csv = JobTestKit.spark().read().option("header", "true").option("quote", "\"").option("escape", "\"").csv(out);
    assertArrayEquals(JobTestKit.sampleInput().schema().fieldNames(), csv.schema().fieldNames());
    List<String> want = JobTestKit.sampleInput().select("cvv").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    List<String> got = csv.select("cvv").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    want = new ArrayList<>(want);
    got = new ArrayList<>(got);
    want.sort(java.util.Comparator.nullsFirst(String::compareTo));
    got.sort(java.util.Comparator.nullsFirst(String::compareTo));
    assertEquals(want, got, "cvv decrypted, leading zeros kept");
    // card_number stayed encrypted: base64 of a cell, not a card number.
    String cell = csv.select("card_number").first().getString(0);
    assertTrue(CellFormat.looksLikeCell(java.util.Base64.getDecoder().decode(cell)));
  }

  public static Dataset<Row> decrypt(JobTestKit kit, String enc, String format) {
    String out = kit.dir.resolve("dec-" + System.nanoTime()).toString();
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, format));
    return JobTestKit.spark().read().parquet(out);
  }

  public static final StructType EVERY_TYPE = new StructType()
      .add("id", DataTypes.IntegerType, false)
      .add("s", DataTypes.StringType)
      .add("b", DataTypes.BooleanType)
      .add("i8", DataTypes.ByteType)
      .add("i16", DataTypes.ShortType)
      .add("i32", DataTypes.IntegerType)
      .add("i64", DataTypes.LongType)
      .add("f32", DataTypes.FloatType)
      .add("f64", DataTypes.DoubleType)
      .add("d9", DataTypes.createDecimalType(9, 2))
      .add("d18", DataTypes.createDecimalType(18, 4))
      .add("d38", DataTypes.createDecimalType(38, 10))
      .add("day", DataTypes.DateType)
      .add("ts", DataTypes.TimestampType)
      .add("ntz", DataTypes.TimestampNTZType)
      .add("bin", DataTypes.BinaryType);

  public static List<Row> everyTypeRows() {
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(1, "plain ascii", true, Byte.MIN_VALUE, Short.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE,
        Float.MIN_VALUE, -0.0d, new BigDecimal("-9999999.99"), new BigDecimal("-99999999999999.9999"),
        new BigDecimal("-9999999999999999999999999999.9999999999"), Date.valueOf("0001-01-01"),
        Timestamp.valueOf("1969-12-31 23:59:59.999999"), LocalDateTime.of(1900, 1, 1, 0, 0, 0, 1000),
        new byte[0]));
    rows.add(RowFactory.create(2, "", false, Byte.MAX_VALUE, Short.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE,
        Float.NaN, Double.NaN, new BigDecimal("9999999.99"), new BigDecimal("99999999999999.9999"),
        new BigDecimal("9999999999999999999999999999.9999999999"), Date.valueOf("1969-12-31"),
        Timestamp.valueOf("2026-11-23 07:27:16.123456"), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999999000),
        new byte[] {0, -1, 127, -128}));
    rows.add(RowFactory.create(3, "Zoë Ünïcødé 山田太郎 Иван 😀 a\u0301", null, null, null, null, null,
        Float.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, new BigDecimal("0.00"), null, new BigDecimal("0E-10"),
        Date.valueOf("2024-02-29"), null, null, null));
    rows.add(RowFactory.create(4, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null));
    rows.add(RowFactory.create(5, "with\u0000nul and \"quotes\", commas", true, (byte) 0, (short) 0, 0, 0L, 0.0f,
        Double.MIN_VALUE, new BigDecimal("0.01"), new BigDecimal("-0.0001"), new BigDecimal("1E-10"),
        Date.valueOf("1970-01-01"), new Timestamp(0), LocalDateTime.of(1970, 1, 1, 0, 0), new byte[1024]));
    return rows;
  }
}
