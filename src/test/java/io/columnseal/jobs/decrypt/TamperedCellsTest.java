package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.CellAuthenticationException;
import io.columnseal.crypto.CellEncryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import io.columnseal.crypto.TestKeys;
import io.columnseal.jobs.CapturedLog;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.DekRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cells changed in the stored files, as someone with write access to the bucket could: decrypt
 * fails naming the column, the file and the row (never the value), or with --on-error null
 * writes null and counts it. One file, one DEK; rows are 0-based positions in the file.
 */
class TamperedCellsTest {
  private static final String DATASET = "cards-tamper";
  private static final String[] CARDS = {"5228757498274265", "4958771451179337", "5156384518143655",
      "4913375379525856", "4539578763621486", "5500005555555559", "4111111111111111", "4012888888881881",
      "5105105105105100", "4222222222222220"};
  private static final String[] CVVS = {"731", "482", "915", "306", "847", "259", "673", "518", "394", "762"};

  @TempDir
  Path tmp;
  private JobTestKit kit;
  private String enc;
  private Path file;

  /**
   * Row 1: a flipped byte in cvv. Row 2: the row's card_number cell copied into cvv. Row 5: row
   * 3's cvv cell (same column, same DEK). Row 6: card_number cut to 20 bytes. Row 7: card_number
   * one byte short. Row 8: a cvv cell sealed for another dataset under this dataset's own DEK.
   * Row 9: a cvv cell of a DEK the manifest does not list (another dataset's cell).
   */
  @BeforeEach
  void encryptAndTamper() throws IOException {
    kit = new JobTestKit(tmp);
    StringBuilder csv = new StringBuilder("id,card_number,cvv,amount\n");
    for (int i = 0; i < CARDS.length; i++) {
      csv.append(i).append(',').append(CARDS[i]).append(',').append(CVVS[i]).append(",1").append(i).append(".00\n");
    }
    Path in = tmp.resolve("cards.csv");
    Files.writeString(in, csv.toString(), StandardCharsets.UTF_8);
    enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId(DATASET).inputPath(in.toString())
        .inputOptions(Map.of("header", "true")).inputSchema("id INT, card_number STRING, cvv STRING, amount DECIMAL(12,2)")
        .columns(List.of("card_number", "cvv")).keyService(kit.keys).kmsKey("alias/test").outputPath(enc)
        .partitions(1).build());

    SparkSession spark = JobTestKit.spark();
    file = StoredFiles.onlyDataFile(enc);
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i, rows.get(i).getInt(0), "rows are in file order");
    }
    rows.set(1, StoredFiles.with(rows.get(1), 2, StoredFiles.flipped(rows.get(1).getAs("cvv"))));
    rows.set(2, StoredFiles.with(rows.get(2), 2, rows.get(2).getAs("card_number")));
    rows.set(5, StoredFiles.with(rows.get(5), 2, rows.get(3).getAs("cvv")));
    byte[] card6 = rows.get(6).getAs("card_number");
    rows.set(6, StoredFiles.with(rows.get(6), 1, java.util.Arrays.copyOf(card6, 20)));
    byte[] card7 = rows.get(7).getAs("card_number");
    rows.set(7, StoredFiles.with(rows.get(7), 1, java.util.Arrays.copyOf(card7, card7.length - 1)));
    rows.set(8, StoredFiles.with(rows.get(8), 2, sealUnderOwnDek(rows.get(8).getAs("cvv"), "cards-other", CVVS[8])));
    rows.set(9, StoredFiles.with(rows.get(9), 2, sealUnderUnknownDek(CVVS[9])));
    StoredFiles.replace(spark, file, schema, rows);
  }

  @Test
  void aTamperedCellFailsDecryptNamingColumnFileAndRowButNoValue() {
    String out = tmp.resolve("dec").toString();
    Exception e = assertThrows(Exception.class, () -> DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet")));
    UnreadableCellException ours = assertInstanceOf(UnreadableCellException.class, BadInputTest.ours(e), String.valueOf(e));
    // One task reads the file in order: the first bad cell is row 1's cvv.
    assertEquals("cvv", ours.column());
    assertEquals(1, ours.row());
    assertTrue(ours.file().endsWith(file.getFileName().toString()), ours.file());
    assertInstanceOf(CellAuthenticationException.class, ours.getCause());
    String message = ours.getMessage();
    assertTrue(message.startsWith("cannot decrypt column cvv in file " + ours.file() + " at row 1 (0-based, within the file)"),
        message);
    assertShowsNoValue(message);
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertShowsNoValue(String.valueOf(t.getMessage()));
    }
    assertFalse(Files.exists(Path.of(out, "_SUCCESS")), "a failed decrypt must not mark its output complete");
  }

  @Test
  void onErrorNullWritesNullForEachBadCellAndCountsThemPerColumn() {
    String out = tmp.resolve("dec").toString();
    RunSummary run;
    List<String> warnings;
    try (CapturedLog log = new CapturedLog(PartitionOpener.class)) {
      run = DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kit.keys, false,
          OnCellError.NULL));
      warnings = log.lines();
    }
    assertEquals(Map.of("card_number", 2L, "cvv", 5L), run.nullCellsPerColumn);
    assertTrue(run.toTerminal().contains("cells that did not decrypt, written as null (--on-error null): 7 card_number=2 cvv=5"),
        run.toTerminal());

    List<Row> rows = JobTestKit.spark().read().parquet(out).orderBy("id").collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String card = r.getString(1);
      String cvv = r.getString(2);
      assertEquals(i == 6 || i == 7 ? null : CARDS[i], card, "card_number of row " + i);
      if (i == 1 || i == 2 || i == 5 || i == 8 || i == 9) {
        // Row 5 holds a copy of row 3's cvv cell: it authenticates, but repeats row 3's nonce.
        assertNull(cvv, "cvv of row " + i);
      } else {
        assertEquals(CVVS[i], cvv, "cvv of row " + i);
      }
      assertEquals(new java.math.BigDecimal("1" + i + ".00"), r.getDecimal(3), "clear columns stay as they were");
    }

    // Each bad cell is named in the log by column, file and row, with why; never with a value.
    String name = file.getFileName().toString();
    expectWarning(warnings, "cvv", name, 1, "failed authentication");
    expectWarning(warnings, "cvv", name, 2, "failed authentication");
    expectWarning(warnings, "card_number", name, 6, "is 20 bytes");
    expectWarning(warnings, "card_number", name, 7, "failed authentication");
    expectWarning(warnings, "cvv", name, 5, "a cell copied from another row");
    expectWarning(warnings, "cvv", name, 8, "failed authentication");
    expectWarning(warnings, "cvv", name, 9, "which the manifest does not list");
    assertEquals(7, warnings.size(), String.join("\n", warnings));
    for (String w : warnings) {
      assertShowsNoValue(w);
    }
  }

  @Test
  void aTamperedCellFailsTheCommandWithExit1AndRemovesTheOutputItCreated() {
    String out = tmp.resolve("dec").toString();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream oldErr = System.err;
    int code;
    try (java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      code = io.columnseal.cli.Main.run("decrypt", "--dataset", enc, "--output", out,
          "--set", "kms.provider=local", "--set", "kms.keyring=" + kit.keyringFile);
    } finally {
      System.setErr(oldErr);
    }
    String line = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, code, line);
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("columnseal decrypt: failed: cannot decrypt column cvv in file "), line);
    assertTrue(line.endsWith("; removed output " + out + ", which this run created"), line);
    assertShowsNoValue(line);
    assertFalse(Files.exists(Path.of(out)), "the output folder is gone");
  }

  @Test
  void aFailedOverwriteKeepsAFolderThatExistedButRemovesWhatItWroteThere() throws IOException {
    Path out = Files.createDirectory(tmp.resolve("existing"));
    Files.writeString(out.resolve("old.txt"), "old");
    Exception e = assertThrows(Exception.class,
        () -> DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out.toString(), "parquet")));
    String message = BadInputTest.ours(e).getMessage();
    assertTrue(message.endsWith("; removed what this run wrote in output " + out + " (the folder existed before and is kept)"),
        message);
    assertTrue(Files.isDirectory(out), "a folder that existed stays");
    try (java.util.stream.Stream<Path> left = Files.list(out)) {
      assertEquals(List.of(), left.toList(), "overwrite replaced the old file; the failed run's files are gone");
    }
  }

  // ---- helpers

  private static void expectWarning(List<String> warnings, String column, String file, int row, String why) {
    String where = "cannot decrypt column " + column + " in file ";
    String at = file + " at row " + row + " (0-based, within the file): ";
    assertTrue(warnings.stream().anyMatch(w -> w.startsWith("WARN " + where) && w.contains(at) && w.contains(why)
        && w.endsWith("; written as null (--on-error null)")),
        "no warning for " + column + " row " + row + " (" + why + ") in:\n" + String.join("\n", warnings));
  }

  /** No card number, and no CVV as a standalone number (they are 3 digits: hex ids may hold the digits). */
  private static void assertShowsNoValue(String text) {
    for (String card : CARDS) {
      assertFalse(text.contains(card), "shows a card number: " + text);
    }
    for (String cvv : CVVS) {
      assertFalse(Pattern.compile("(?<![0-9A-Za-z])" + cvv + "(?![0-9A-Za-z])").matcher(text).find(), "shows a CVV: " + text);
    }
  }

  /**
   * A cvv cell that names this dataset's DEK but binds another dataset id: what a cell of
   * another dataset would be if it shared the DEK. Sealed here with the unwrapped DEK; only a
   * holder of the DEK could make it, and the associated data still refuses it.
   */
  private byte[] sealUnderOwnDek(byte[] original, String otherDataset, String value) {
    DekId id = CellFormat.dekIdOf(original);
    DekRecord dek = BadInputTest.manifest(enc).read().orElseThrow().dek(id).orElseThrow();
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile);
         OpeningKey unwrapped = ring.decrypt(dek.wrapped(), id, dek.context());
         SealingKey key = TestKeys.forgedSealingKey(unwrapped);
         CellEncryptor e = CellEncryptor.open(key)) {
      return e.column(ColumnSpec.of(otherDataset, "cvv", CellType.STRING)).seal(value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static byte[] sealUnderUnknownDek(String value) {
    SecureRandom random = new SecureRandom();
    byte[] bytes = new byte[SealingKey.KEY_BYTES];
    random.nextBytes(bytes);
    try (SealingKey key = SealingKey.of(DekId.random(random), bytes);
         CellEncryptor e = CellEncryptor.open(key)) {
      return e.column(ColumnSpec.of(DATASET, "cvv", CellType.STRING)).seal(value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
