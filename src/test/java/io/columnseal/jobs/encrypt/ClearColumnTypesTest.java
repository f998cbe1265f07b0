package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.columnseal.jobs.JobTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clear columns come out of encrypt with the Parquet physical and logical type a plain Spark
 * copy gives them with the same settings, and with the same values; timestamps stay INT64
 * TIMESTAMP(MICROS) whatever the session's default (Spark's is INT96).
 */
class ClearColumnTypesTest {
  private static final List<String> CLEAR = List.of("s", "b", "t", "sm", "i", "l", "f", "d", "dec9", "dec18", "dec30",
      "dt", "ts", "ntz", "bin");

  @TempDir
  Path tmp;

  @Test
  void everyClearColumnKeepsItsParquetTypeAndValues() throws IOException {
    SparkSession spark = JobTestKit.spark();
    // The shared session writes Spark's default INT96; only the input is written as MICROS.
    SparkSession micros = spark.newSession();
    micros.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    String in = tmp.resolve("in").toString();
    micros.range(0, 40).selectExpr(
        "CASE WHEN id = 3 THEN NULL ELSE concat('name-', id) END AS s", "id % 2 = 0 AS b", "CAST(id AS TINYINT) AS t",
        "CAST(id * 300 AS SMALLINT) AS sm", "CAST(id * 70000 AS INT) AS i", "id * 1000000007 AS l",
        "CAST(id / 3 AS FLOAT) AS f", "id / 7 AS d", "CAST(id * 1.25 AS DECIMAL(9,2)) AS dec9",
        "CAST(id * 1000.5 AS DECIMAL(18,4)) AS dec18", "CAST(id * 12345678901234.5 AS DECIMAL(30,6)) AS dec30",
        "date_add(DATE'2026-01-01', CAST(id AS INT)) AS dt", "timestamp_micros(1767261600123456 + id * 1000001) AS ts",
        "CAST(timestamp_micros(1767261600654321 + id) AS TIMESTAMP_NTZ) AS ntz", "CAST(concat('b', id) AS BINARY) AS bin",
        "concat('secret-', id) AS secret")
        .repartition(2).write().parquet(in);

    JobTestKit kit = new JobTestKit(tmp);
    Path enc = tmp.resolve("enc");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("types").inputPath(in).inputFormat("parquet")
        .columns(List.of("secret")).keyService(kit.keys).kmsKey("alias/test").outputPath(enc.toString())
        .partitions(2).build());
    Path copy = tmp.resolve("copy");
    micros.read().parquet(in).write().parquet(copy.toString());

    Map<String, String> encTypes = footerTypes(enc);
    Map<String, String> copyTypes = footerTypes(copy);
    Map<String, String> inTypes = footerTypes(Path.of(in));
    for (String c : CLEAR) {
      assertEquals(copyTypes.get(c), encTypes.get(c), "Parquet type of clear column " + c);
      assertEquals(inTypes.get(c), encTypes.get(c), "Parquet type of clear column " + c + " against the input");
    }
    assertEquals("INT64 TIMESTAMP(MICROS,true) len=0", encTypes.get("ts"));
    assertEquals("INT64 TIMESTAMP(MICROS,false) len=0", encTypes.get("ntz"));
    assertEquals("BINARY null len=0", encTypes.get("secret"));

    Column[] cols = CLEAR.stream().map(functions::col).toArray(Column[]::new);
    Dataset<Row> expected = spark.read().parquet(in).select(cols);
    Dataset<Row> actual = spark.read().parquet(enc.toString()).select(cols);
    assertEquals(40, actual.count());
    assertEquals(0, expected.exceptAll(actual).count());
    assertEquals(0, actual.exceptAll(expected).count());
    assertEquals(expected.schema(), actual.schema());
  }

  /** Per column of the first data file: physical type, logical type, fixed length. */
  private static Map<String, String> footerTypes(Path root) throws IOException {
    Path file;
    try (Stream<Path> s = Files.walk(root)) {
      file = s.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_columnseal"))
          .findFirst().orElseThrow();
    }
    Map<String, String> types = new TreeMap<>();
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))) {
      for (ColumnDescriptor d : r.getFooter().getFileMetaData().getSchema().getColumns()) {
        PrimitiveType t = d.getPrimitiveType();
        types.put(String.join(".", d.getPath()), t.getPrimitiveTypeName() + " " + t.getLogicalTypeAnnotation()
            + " len=" + t.getTypeLength());
      }
    }
    assertFalse(types.isEmpty());
    return types;
  }
}
