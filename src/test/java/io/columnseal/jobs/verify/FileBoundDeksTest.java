package io.columnseal.jobs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.cli.Main;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.decrypt.UnreadableCellException;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.LegacyCommits;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1: each data file is bound in the manifest to its DEKs and its size. Cells
 * moved between the dataset's two files, or swapped within one, are refused by decrypt (naming
 * column, file and row) and reported by verify; a rewritten file's size is reported; a dataset
 * written before format 3 still decrypts exactly. On the local keyring and through the AWS SDK
 * against the KMS test server.
 */
class FileBoundDeksTest {
  private static final String DATASET = "cards-bound";
  private static final String DDL = "id INT, card_number STRING, cvv STRING, note STRING";

  @TempDir
  Path tmp;
  private JobTestKit kit;
  private Path input;

  @BeforeEach
  void input() throws IOException {
    kit = new JobTestKit(tmp);
    StringBuilder csv = new StringBuilder("id,card_number,cvv,note\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i).append(',').append(4000000000000000L + 7919L * i).append(',').append(100 + i).append(",n")
          .append(i).append('\n');
    }
    input = tmp.resolve("cards.csv");
    Files.writeString(input, csv.toString(), StandardCharsets.UTF_8);
  }

  private String encrypt(KeyServiceSpec keys, String kmsKey) {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId(DATASET).inputPath(input.toString())
        .inputOptions(Map.of("header", "true")).inputSchema(DDL).columns(List.of("card_number", "cvv"))
        .keyService(keys).kmsKey(kmsKey).outputPath(enc).partitions(2).build());
    return enc;
  }

  @Test
  void eachCommittedFileIsBoundToItsTasksDekAndItsSize() throws IOException {
    String enc = encrypt(kit.keys, "alias/test");
    ManifestState m = OutputModesTest.state(enc);
    assertEquals(3, m.lastCommit().formatVersion());
    assertEquals(2, m.liveFiles().size());
    List<io.columnseal.crypto.DekId> seen = new ArrayList<>();
    for (String f : m.liveFiles()) {
      FileRecord r = m.boundFile(f).orElseThrow();
      assertEquals(Files.size(Path.of(enc, f)), r.size(), f);
      assertEquals(1, r.deks().size(), "one task, one DEK: " + r);
      seen.addAll(r.deks());
    }
    assertEquals(new ArrayList<>(m.deks().keySet()), seen.stream().sorted().toList(), "each DEK bound to one file");
  }

  @Test
  void aCardNumberSwappedBetweenTheTwoFilesFailsDecryptAndVerifyOnTheLocalKeyring() throws IOException {
    String enc = encrypt(kit.keys, "alias/test");
    crossFileSwapIsRefused(enc, kit.keys);
    assertEquals(3, Main.run("verify", "--dataset", enc, "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile), "verify exits 3 on the findings");
  }

  @Test
  void aCardNumberSwappedBetweenTheTwoFilesFailsDecryptAndVerifyThroughAwsKms() throws IOException {
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/cards", kms.createKey("cards master key"));
      String enc = encrypt(kms.spec(), "alias/cards");
      crossFileSwapIsRefused(enc, kms.spec());
    }
  }

  @Test
  void twoCardNumbersSwappedWithinOneFileAreRefusedOnTheLocalKeyring() throws IOException {
    String enc = encrypt(kit.keys, "alias/test");
    sameFileSwapIsRefused(enc, kit.keys);
  }

  @Test
  void twoCardNumbersSwappedWithinOneFileAreRefusedThroughAwsKms() throws IOException {
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/cards", kms.createKey("cards master key"));
      String enc = encrypt(kms.spec(), "alias/cards");
      sameFileSwapIsRefused(enc, kms.spec());
    }
  }

  @Test
  void aFileRewrittenWithAnotherSizeIsAVerifyFinding() throws IOException {
    String enc = encrypt(kit.keys, "alias/test");
    Path file = dataFiles(enc).get(0);
    String name = file.getFileName().toString();
    long recorded = OutputModesTest.state(enc).boundFile(name).orElseThrow().size();
    SparkSession spark = JobTestKit.spark();
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    // Only a clear column changes: every cell stays where it was, so only the size tells.
    rows.set(0, StoredFiles.with(rows.get(0), 3, "x".repeat(500)));
    StoredFiles.replace(spark, file, schema, rows);
    long now = Files.size(file);
    assertTrue(now != recorded, "the rewrite changed the size");

    VerifyReport r = VerifyJob.run(spark, new VerifySettings(enc, null, kit.keys, false, 3, List.of(), null));
    assertEquals(List.of("file " + name + " is " + now + " bytes; its commit recorded " + recorded
        + " (rewritten since)"), messages(r, "file-size"), r.toTerminal());
    assertEquals(1, r.findings.size(), r.toTerminal());
  }

  @Test
  void aDatasetWrittenBeforeFormat3StillDecryptsExactlyAndVerifiesWithANote() throws IOException {
    String enc = encrypt(kit.keys, "alias/test");
    LegacyCommits.rewriteAsVersion2(Path.of(enc, "_columnseal", "log", "00000000000000000001.json"));
    ManifestState m = OutputModesTest.state(enc);
    assertEquals(2, m.lastCommit().formatVersion());
    assertTrue(m.liveFiles().stream().allMatch(f -> m.boundFile(f).isEmpty()));

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet"));
    List<Row> expected = JobTestKit.sorted(JobTestKit.spark().read().option("header", "true").schema(DDL)
        .csv(input.toString()));
    assertEquals(expected, JobTestKit.sorted(JobTestKit.spark().read().parquet(out).select("id", "card_number", "cvv",
        "note")));

    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3, List.of(),
        null));
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(2, r.filesNotBound);
    assertTrue(r.toTerminal().contains("note: 2 file(s) not bound to DEKs (written before format 3)"), r.toTerminal());
  }

  @Test
  void aDatasetNamedByARelativePathDecryptsAndVerifiesClean() throws IOException {
    // The quickstart's own shape: work/cards_enc, relative to the current folder, while Spark
    // reports each file it reads by its absolute path.
    Path relative = Path.of("target", "relative-dataset-" + System.nanoTime());
    String enc = relative.resolve("enc").toString();
    try {
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
      VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3, List.of(),
          null));
      assertTrue(r.ok(), r.toTerminal());
      String out = tmp.resolve("dec").toString();
      DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet"));
      assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(JobTestKit.spark().read().parquet(out)));
    } finally {
      try (Stream<Path> walk = Files.walk(relative)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
      }
    }
  }

  // ---- the two swaps

  private void crossFileSwapIsRefused(String enc, KeyServiceSpec keys) {
    SparkSession spark = JobTestKit.spark();
    List<Path> files = dataFiles(enc);
    Path a = files.get(0);
    Path b = files.get(1);
    StructType schema = StoredFiles.schema(spark, a);
    List<Row> rowsA = new ArrayList<>(StoredFiles.rows(spark, a));
    List<Row> rowsB = new ArrayList<>(StoredFiles.rows(spark, b));
    Object cardA = rowsA.get(0).getAs("card_number");
    rowsA.set(0, StoredFiles.with(rowsA.get(0), 1, rowsB.get(0).getAs("card_number")));
    rowsB.set(0, StoredFiles.with(rowsB.get(0), 1, cardA));
    StoredFiles.replace(spark, a, schema, rowsA);
    StoredFiles.replace(spark, b, schema, rowsB);

    String out = tmp.resolve("dec").toString();
    Exception e = assertThrows(Exception.class, () -> DecryptJob.run(spark,
        new DecryptSettings(enc, null, out, "parquet", List.of(), keys, true)));
    UnreadableCellException cell = assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("card_number", cell.column());
    assertEquals(0, cell.row());
    String file = Path.of(cell.file()).getFileName().toString();
    assertTrue(file.equals(a.getFileName().toString()) || file.equals(b.getFileName().toString()), cell.file());
    assertTrue(cell.getMessage().contains("which the manifest does not bind to file " + file
        + " (a cell moved from another file?)"), cell.getMessage());
    assertFalse(Files.exists(Path.of(out, "_SUCCESS")));

    VerifyReport r = VerifyJob.run(spark, new VerifySettings(enc, null, keys, false, 3, List.of(), null));
    List<String> misplaced = messages(r, "misplaced-cell");
    assertEquals(2, misplaced.size(), r.toTerminal());
    for (Path f : List.of(a, b)) {
      String n = f.getFileName().toString();
      assertTrue(misplaced.stream().anyMatch(m -> m.startsWith("column card_number in ") && m.contains(n + " at row 0: ")
          && m.endsWith("which the manifest does not bind to file " + n + " (a cell moved from another file?)")),
          r.toTerminal());
    }
    assertFalse(r.ok());
  }

  /**
   * Counters under a file's DEK go row by row, card_number then cvv: row r holds 2r and 2r+1.
   * After swapping rows 1 and 3 of card_number, row 1 reads 6 then 3: the order breaks at row
   * 1's cvv, against row 1's card_number; and again at row 3's card_number (2, after 5).
   */
  private void sameFileSwapIsRefused(String enc, KeyServiceSpec keys) {
    SparkSession spark = JobTestKit.spark();
    Path a = dataFiles(enc).get(0);
    String name = a.getFileName().toString();
    StructType schema = StoredFiles.schema(spark, a);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, a));
    Object card1 = rows.get(1).getAs("card_number");
    rows.set(1, StoredFiles.with(rows.get(1), 1, rows.get(3).getAs("card_number")));
    rows.set(3, StoredFiles.with(rows.get(3), 1, card1));
    StoredFiles.replace(spark, a, schema, rows);

    String out = tmp.resolve("dec").toString();
    Exception e = assertThrows(Exception.class, () -> DecryptJob.run(spark,
        new DecryptSettings(enc, null, out, "parquet", List.of(), keys, true)));
    UnreadableCellException cell = assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("cvv", cell.column());
    assertEquals(1, cell.row());
    assertTrue(cell.file().endsWith(name), cell.file());
    assertTrue(cell.getMessage().contains(": the cell has counter 3 under DEK ") && cell.getMessage().contains(
        ", out of order with column card_number at row 1 (counter 6): one of the two cells was moved within file "
            + name + ";"), cell.getMessage());

    VerifyReport r = VerifyJob.run(spark, new VerifySettings(enc, null, keys, false, 3, List.of(), null));
    List<String> misplaced = messages(r, "misplaced-cell");
    assertEquals(2, misplaced.size(), r.toTerminal());
    assertTrue(misplaced.get(0).startsWith("column cvv in ") && misplaced.get(0).contains(name + " at row 1: the cell has"
        + " counter 3 "), r.toTerminal());
    assertTrue(misplaced.get(1).startsWith("column card_number in ") && misplaced.get(1).contains(name
        + " at row 3: the cell has counter 2 "), r.toTerminal());
  }

  private static List<Path> dataFiles(String dataset) {
    try (Stream<Path> files = Files.list(Path.of(dataset))) {
      List<Path> data = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
      assertEquals(2, data.size(), "two partitions, two files: " + data);
      return data;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> messages(VerifyReport r, String check) {
    return r.findings.stream().filter(f -> f.check.equals(check)).map(f -> f.message).toList();
  }

  @Test
  void aPartitionedDatasetWithEscapedFolderNamesDecryptsExactlyAndVerifiesClean() throws IOException {
    // Folder names Hadoop escapes ("a b/c" -> "a%20b%2Fc"): the manifest's paths and Spark's
    // _metadata.file_path must still meet, or every cell would be refused as not live.
    StringBuilder csv = new StringBuilder("id,card_number,cvv,note\n");
    for (int i = 0; i < 12; i++) {
      csv.append(i).append(',').append(4000000000000000L + 7919L * i).append(',').append(100 + i).append(',')
          .append(i % 2 == 0 ? "a b/c" : "plain").append('\n');
    }
    Files.writeString(input, csv.toString(), StandardCharsets.UTF_8);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId(DATASET).inputPath(input.toString())
        .inputOptions(Map.of("header", "true")).inputSchema(DDL).columns(List.of("card_number", "cvv"))
        .keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).partitionBy(List.of("note")).build());
    ManifestState m = OutputModesTest.state(enc);
    assertTrue(m.liveFiles().stream().allMatch(f -> f.contains("/") && m.boundFile(f).isPresent()), m.liveFiles()
        .toString());

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet"));
    List<Row> expected = JobTestKit.sorted(JobTestKit.spark().read().option("header", "true").schema(DDL)
        .csv(input.toString()));
    assertEquals(expected, JobTestKit.sorted(JobTestKit.spark().read().parquet(out).select("id", "card_number", "cvv",
        "note")));
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3, List.of(),
        null));
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(0, r.filesNotBound);
  }
}
