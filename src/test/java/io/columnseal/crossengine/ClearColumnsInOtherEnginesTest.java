package io.columnseal.crossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.bench.BenchKmsClient;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardTransaction;
import io.columnseal.testing.SharedSpark;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "engines without PME read the clear columns only": a Parquet modular encryption file
 * with a plaintext footer (the layout of columnseal's page mode, docs/FORMAT.md section 12) read by
 * DuckDB, which has no PME key retrieval. Its clear columns read exactly; an encrypted column
 * is an error, never bytes.
 */
class ClearColumnsInOtherEnginesTest {
  static final List<String> ENCRYPTED = List.of("card_number", "cvv");
  static final List<String> CLEAR = List.of("city", "state", "amount");
  private static final String DDL = "card_number STRING, cvv STRING, city STRING, state STRING, amount DECIMAL(12,2)";
  private static final int ROWS = 300;

  @TempDir
  static Path dir;
  static List<Row> input;
  static Path pmeFile;

  @BeforeAll
  static void writePmeFile() throws IOException {
    SparkSession spark = SharedSpark.session();
    input = new ArrayList<>();
    for (CardTransaction t : CardDataGenerator.rows(CardDataGenerator.DEFAULT_SEED, ROWS)) {
      input.add(RowFactory.create(t.cardNumber(), t.cvv(), t.city(), t.state(), t.amount()));
    }
    // A null in a clear column and in an encrypted one, so both kinds of page are present.
    input.set(7, RowFactory.create(null, null, null, "NY", null));
    Dataset<Row> df = spark.createDataFrame(input, StructType.fromDDL(DDL)).coalesce(1);
    Path out = dir.resolve("pme");
    df.write().options(pmeWriteOptions()).parquet(out.toString());
    pmeFile = onlyParquetFile(out);
  }

  /** Spark's built-in PME factory: 2 of the 5 columns under one master key, footer in the clear but signed. */
  static Map<String, String> pmeWriteOptions() {
    return Map.of(
        "parquet.crypto.factory.class", "org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory",
        "parquet.encryption.kms.client.class", BenchKmsClient.class.getName(),
        "parquet.encryption.column.keys", "columnKey:" + String.join(",", ENCRYPTED),
        "parquet.encryption.footer.key", "footerKey",
        "parquet.encryption.plaintext.footer", "true");
  }

  @Test
  void theFileIsModularlyEncryptedWithAPlaintextFooter() throws IOException {
    byte[] bytes = Files.readAllBytes(pmeFile);
    // PAR1 at both ends: a plaintext footer (an encrypted footer ends in PARE).
    assertEquals("PAR1", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals("PAR1", new String(bytes, bytes.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
    SparkSession spark = SharedSpark.session();
    // With the keys, Spark reads the encrypted columns back; without, it cannot.
    List<Row> decrypted = spark.read().options(pmeWriteOptions()).parquet(pmeFile.toString())
        .select(ENCRYPTED.get(0), ENCRYPTED.get(1)).collectAsList();
    for (int i = 0; i < ROWS; i++) {
      // assertTrue, not assertEquals: a failure names the row, never a card number or CVV.
      assertTrue(java.util.Objects.equals(input.get(i).get(0), decrypted.get(i).get(0)), "card_number of row " + i);
      assertTrue(java.util.Objects.equals(input.get(i).get(1), decrypted.get(i).get(1)), "cvv of row " + i);
    }
    assertThrows(Exception.class,
        () -> spark.read().parquet(pmeFile.toString()).select(ENCRYPTED.get(0)).collectAsList(),
        "without the crypto factory an encrypted column must not read");
  }

  @Test
  void parquetJavaWithoutDecryptionPropertiesReadsTheClearColumns() {
    // Spark with no crypto factory: parquet-java reads a plaintext-footer file like a legacy
    // reader (the path page mode's clear-only queries take, docs/FORMAT.md section 12).
    List<Row> got = SharedSpark.session().read().parquet(pmeFile.toString())
        .select(CLEAR.get(0), CLEAR.get(1), CLEAR.get(2)).collectAsList();
    assertEquals(ROWS, got.size());
    for (int i = 0; i < ROWS; i++) {
      assertEquals(input.get(i).get(2), got.get(i).get(0), "city of row " + i);
      assertEquals(input.get(i).get(3), got.get(i).get(1), "state of row " + i);
      assertEquals(input.get(i).get(4), got.get(i).get(2), "amount of row " + i);
    }
  }

  @Test
  void duckDbReadsEveryClearValueOfAPmeFile() throws SQLException {
    assertClearColumnsReadByDuckDb(pmeFile, input);
  }

  @Test
  void duckDbFailsOnAnEncryptedColumn() throws SQLException {
    for (String column : ENCRYPTED) {
      assertEncryptedColumnFailsInDuckDb(pmeFile, column);
    }
  }

  /**
   * A real page-mode dataset (encrypt.mode=page, local keyring): a first run and an append, one
   * file each (one input file, default partitions: rows in input order). DuckDB reads every clear
   * value of every live file exactly, and fails on each encrypted column of each.
   */
  @Test
  void duckDbReadsEveryClearValueOfEveryLiveFileOfAPageModeDataset(@TempDir Path work) throws Exception {
    SparkSession spark = SharedSpark.session();
    io.columnseal.jobs.JobTestKit kit = new io.columnseal.jobs.JobTestKit(work);
    String src = work.resolve("input.parquet").toString();
    spark.createDataFrame(input, StructType.fromDDL(DDL)).coalesce(1).write().parquet(src);
    String enc = work.resolve("enc").toString();
    for (io.columnseal.jobs.encrypt.OutputMode mode : List.of(io.columnseal.jobs.encrypt.OutputMode.ERROR,
        io.columnseal.jobs.encrypt.OutputMode.APPEND)) {
      io.columnseal.jobs.encrypt.EncryptJob.run(spark, io.columnseal.jobs.encrypt.EncryptSettings.builder()
          .datasetId("engines").inputPath(src).inputFormat("parquet").columns(ENCRYPTED).keyService(kit.keys)
          .kmsKey("alias/test").outputPath(enc).encryptMode(io.columnseal.jobs.encrypt.EncryptMode.PAGE).mode(mode)
          .allowRepeat(true) // the same input twice: two files of the same rows
          .build());
    }
    io.columnseal.manifest.ManifestState m = io.columnseal.jobs.encrypt.BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals("page", m.cellEncoding().orElseThrow());
    assertEquals(2, m.liveFiles().size(), "a file per run");
    for (String f : m.liveFiles()) {
      Path file = Path.of(enc, f);
      assertEquals(ENCRYPTED, encryptedColumns(file), f);
      assertClearColumnsReadByDuckDb(file, input);
      for (String column : ENCRYPTED) {
        assertEncryptedColumnFailsInDuckDb(file, column);
      }
    }
  }

  /** The columns the file's footer says are encrypted with a column key (FORMAT.md section 12). */
  private static List<String> encryptedColumns(Path file) {
    List<String> out = new ArrayList<>();
    for (org.apache.parquet.format.ColumnChunk c : io.columnseal.jobs.encrypt.PageFiles.footer(file).getRow_groups()
        .get(0).getColumns()) {
      if (c.isSetCrypto_metadata() && c.getCrypto_metadata().isSetENCRYPTION_WITH_COLUMN_KEY()) {
        out.add(String.join(".", c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getPath_in_schema()));
      }
    }
    return out;
  }

  /**
   * DuckDB (no PME keys) reads {@link #CLEAR} of {@code parquetFile}; every value, in file order,
   * must equal {@code expected} (rows shaped like {@link #DDL}).
   */
  static void assertClearColumnsReadByDuckDb(Path parquetFile, List<Row> expected) throws SQLException {
    List<Object[]> got = new ArrayList<>();
    try (Connection c = duckDb(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT " + String.join(", ", CLEAR) + " FROM read_parquet('"
             + sqlString(parquetFile) + "')")) {
      while (rs.next()) {
        got.add(new Object[] {rs.getString(1), rs.getString(2), rs.getBigDecimal(3)});
      }
    }
    assertEquals(expected.size(), got.size(), "rows DuckDB read");
    for (int i = 0; i < expected.size(); i++) {
      Row want = expected.get(i);
      assertEquals(want.getString(2), got.get(i)[0], "city of row " + i);
      assertEquals(want.getString(3), got.get(i)[1], "state of row " + i);
      BigDecimal amount = (BigDecimal) want.get(4);
      assertEquals(amount, got.get(i)[2], "amount of row " + i);
    }
  }

  /** DuckDB asked for an encrypted column of {@code parquetFile} fails (its message is DuckDB's own). */
  static void assertEncryptedColumnFailsInDuckDb(Path parquetFile, String column) throws SQLException {
    try (Connection c = duckDb(); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM read_parquet('" + sqlString(parquetFile) + "')")) {
          while (rs.next()) {
            rs.getString(1);
          }
        }
      }, "DuckDB must not read encrypted column " + column);
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "an error with a message");
    }
  }

  /** An in-memory DuckDB that never fetches an extension (Parquet is built into the JDBC driver). */
  private static Connection duckDb() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      s.execute("SET autoinstall_known_extensions = false");
      s.execute("SET autoload_known_extensions = false");
    }
    return c;
  }

  private static String sqlString(Path p) {
    return p.toAbsolutePath().toString().replace("'", "''");
  }

  static Path onlyParquetFile(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      List<Path> parts = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      assertEquals(1, parts.size(), "one part file in " + folder);
      return parts.get(0);
    }
  }
}
