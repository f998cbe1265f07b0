package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ColumnsealException;
import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.recovery.RecoveryTest;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyNotFoundException;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.ManifestStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input of issue 3 ends with one of our exceptions, whose message names the file, key
 * or column and holds no value, and leaves no manifest commit and no pending record behind.
 */
public class BadInputTest {
  /** A fake card number: a bad row holds it, and no message may. */
  private static final String CARD = "4111111111111111";
  private static final String DDL = "id INT, card_number STRING, amount DECIMAL(12,2)";

  @TempDir
  Path tmp;

  @Test
  void aMissingInputPathIsNamed() {
    JobTestKit kit = new JobTestKit(tmp);
    String missing = tmp.resolve("landing/2026-11-22/*.csv").toString();
    String out = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, missing, out).build()));
    assertTrue(e.getMessage().contains("input.path " + missing), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void anInputWithNoRowsIsRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("empty.csv", "id,card_number,amount\n");
    String out = tmp.resolve("enc").toString();
    InputException e = assertThrows(InputException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).build()));
    assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("no rows"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void anEmptyFileIsRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("empty.csv", "");
    String out = tmp.resolve("enc").toString();
    InputException e = assertThrows(InputException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).inputSchema(null).build()));
    assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("empty"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aMalformedRowNamesItsFileAndLineButNotItsValues() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // Line 4 has one field too many. The folder's space must not lose the line.
    Files.createDirectories(tmp.resolve("landing zone"));
    Path csv = write("landing zone/cards.csv", "id,card_number,amount\n"
        + "1,5228757498274265,943.50\n"
        + "2,4958771451179337,86.12\n"
        + "3," + CARD + ",12.00," + CARD + "\n"
        + "4,5500000000000004,1.00\n");
    String out = tmp.resolve("enc").toString();
    Exception e = assertThrows(Exception.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).build()));
    InputException ours = assertInstanceOf(InputException.class, ours(e), String.valueOf(e));
    assertTrue(ours.getMessage().contains("malformed CSV row in file:" + csv + " at line 4:"), ours.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(CARD), "a message quotes the row: " + t);
    }
    assertNothingWritten(out);
  }

  @Test
  void aValueOfTheWrongTypeIsMalformedToo() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n"
        + "1,5228757498274265,943.50\n"
        + "2,4958771451179337," + CARD + "x\n");
    String out = tmp.resolve("enc").toString();
    Exception e = assertThrows(Exception.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).build()));
    InputException ours = assertInstanceOf(InputException.class, ours(e), String.valueOf(e));
    assertTrue(ours.getMessage().contains("cards.csv at line 3"), ours.getMessage());
    assertFalse(String.valueOf(e.getMessage()).contains(CARD), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aMalformedRowInAGzippedFileIsNamedByItsLineToo() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path gz = tmp.resolve("cards.csv.gz");
    try (java.io.Writer w = new java.io.OutputStreamWriter(
        new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz)), StandardCharsets.UTF_8)) {
      w.write("id,card_number,amount\n1,5228757498274265,943.50\n2," + CARD + ",1.00,extra\n");
    }
    String out = tmp.resolve("enc").toString();
    Exception e = assertThrows(Exception.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, gz.toString(), out).build()));
    InputException ours = assertInstanceOf(InputException.class, ours(e), String.valueOf(e));
    assertTrue(ours.getMessage().contains("cards.csv.gz at line 3"), ours.getMessage());
    assertFalse(ours.getMessage().contains(CARD), ours.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aColumnTheInputLacksIsNamedBeforeAnyKeyringIsOpened() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    // The keyring does not exist: a KMS call would fail with a keyring error instead.
    KeyServiceSpec nowhere = KeyServiceSpec.local(tmp.resolve("no-such.keyring.json").toString());
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).keyService(nowhere).columns(List.of("card_numbr")).build()));
    assertTrue(e.getMessage().contains("encrypt.columns") && e.getMessage().contains("card_numbr"), e.getMessage());
    assertTrue(e.getMessage().contains("card_number"), "lists the input's columns: " + e.getMessage());

    ConfigException caseOnly = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).keyService(nowhere).columns(List.of("Card_Number")).build()));
    assertTrue(caseOnly.getMessage().contains("did you mean card_number?"), caseOnly.getMessage());
    assertFalse(Files.exists(tmp.resolve("no-such.keyring.json")));
    assertNothingWritten(out);
  }

  @Test
  void aCsvHeaderWithNamesThatCollideByCaseIsRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // Spark would silently rename these columns card_number1 and CARD_NUMBER2.
    Path csv = write("cards.csv", "id,card_number,CARD_NUMBER\n1," + CARD + "," + CARD + "\n");
    String out = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).inputSchema(null).columns(List.of("id")).build()));
    assertTrue(e.getMessage().contains(csv.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("card_number and CARD_NUMBER"), e.getMessage());
    assertFalse(e.getMessage().contains(CARD), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aCsvHeaderThatRepeatsANameIsRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,card_number\n1," + CARD + "," + CARD + "\n");
    String out = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).inputSchema(null).build()));
    assertTrue(e.getMessage().contains("card_number and card_number"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aSchemaWithNamesThatCollideByCaseIsRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).inputSchema("id INT, card_number STRING, CARD_NUMBER STRING").build()));
    assertTrue(e.getMessage().contains("input.path") && e.getMessage().contains("card_number"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aRepeatedColumnNameIsRefused() {
    JobTestKit kit = new JobTestKit(tmp);
    String out = tmp.resolve("enc").toString();
    Dataset<Row> twice = JobTestKit.spark().sql("SELECT 1 AS id, 'x' AS card_number, 'y' AS card_number");
    ConfigException e = assertThrows(ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, "(memory)", out).build(), twice));
    assertTrue(e.getMessage().contains("card_number and card_number"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aNestedColumnIsRefusedClearly() {
    JobTestKit kit = new JobTestKit(tmp);
    StructType address = new StructType().add("street", DataTypes.StringType).add("zip", DataTypes.StringType);
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("address", address);
    Dataset<Row> input = JobTestKit.spark().createDataFrame(
        List.of(RowFactory.create(1, RowFactory.create("9265 Broad Ct", "10035"))), schema);
    String src = tmp.resolve("nested.parquet").toString();
    input.write().parquet(src);
    String out = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, src, out).inputFormat("parquet").inputSchema(null).inputOptions(Map.of())
            .columns(List.of("address")).build()));
    assertTrue(e.getMessage().contains("column address of type struct<street:string,zip:string>"), e.getMessage());
    assertTrue(e.getMessage().contains("nested types"), e.getMessage());
    assertFalse(e.getMessage().contains("Broad"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void anOutputHoldingAnotherDatasetIsRefusedInEveryMode() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).datasetId("cards-a").build());
    for (OutputMode mode : OutputMode.values()) {
      ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
          tiny(kit, csv.toString(), out).datasetId("cards-b").mode(mode).build()));
      assertTrue(e.getMessage().contains("already holds columnseal dataset cards-a"), mode + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("cards-b"), e.getMessage());
    }
    assertEquals(1, manifest(out).read().orElseThrow().version(), "the dataset is untouched");
    assertEquals(List.of(), pendingRecords(out));
  }

  @Test
  void decryptingAFolderWithNoManifestIsRefused() {
    JobTestKit kit = new JobTestKit(tmp);
    String plain = tmp.resolve("plain").toString();
    JobTestKit.spark().sql("SELECT 1 AS id").write().parquet(plain);
    String out = tmp.resolve("dec").toString();
    DatasetException e = assertThrows(DatasetException.class,
        () -> DecryptJob.run(JobTestKit.spark(), kit.decryptTo(plain, out, "parquet")));
    assertTrue(e.getMessage().contains("no columnseal manifest") && e.getMessage().contains(plain), e.getMessage());
    assertFalse(Files.exists(Path.of(out)));
  }

  @Test
  void aKeyTheKeyringLacksIsNamedBeforeAnyDataIsWritten() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    KeyNotFoundException e = assertThrows(KeyNotFoundException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).kmsKey("alias/no-such-key").build()));
    assertTrue(e.getMessage().contains("alias/no-such-key"), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void aDisabledKeyIsRefusedBeforeAnyDataIsWritten() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.disable("alias/test");
    }
    kit.reloadKeys();
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    KeyDisabledException e = assertThrows(KeyDisabledException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).build()));
    assertTrue(e.getMessage().contains(kit.keyArn), e.getMessage());
    assertNothingWritten(out);
  }

  @Test
  void decryptWithAKeyringThatLacksTheKeyFailsAndMarksNothingComplete() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n2,4958771451179337,1.00\n");
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), enc).build());
    Path otherRing = tmp.resolve("other.keyring.json");
    try (LocalKeyring ring = LocalKeyring.createOrOpen(otherRing)) {
      ring.createKey("alias/test", "another keyring");
    }
    String out = tmp.resolve("dec").toString();
    DecryptSettings s = new DecryptSettings(enc, null, out, "parquet", List.of(),
        KeyServiceSpec.local(otherRing.toString()), false);
    Exception e = assertThrows(Exception.class, () -> DecryptJob.run(JobTestKit.spark(), s));
    ColumnsealException ours = ours(e);
    assertTrue(ours instanceof io.columnseal.kms.KmsException, String.valueOf(e));
    assertTrue(ours.getMessage().contains(kit.keyArn), ours.getMessage());
    assertFalse(Files.exists(Path.of(out, "_SUCCESS")), "a failed decrypt must not mark its output complete");
    assertEquals(List.of(), DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(out)));
  }

  // ---- helpers

  /** Settings for a three-column CSV in the test's keyring. */
  private static EncryptSettings.Builder tiny(JobTestKit kit, String input, String output) {
    return EncryptSettings.builder().datasetId("cards-bad").inputPath(input).inputFormat("csv")
        .inputOptions(Map.of("header", "true")).inputSchema(DDL).columns(List.of("card_number"))
        .keyService(kit.keys).kmsKey("alias/test").outputPath(output);
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  /** The first of our exceptions in the cause chain (Spark wraps a task's failure). */
  public static ColumnsealException ours(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ColumnsealException) {
        return (ColumnsealException) t;
      }
    }
    return null;
  }

  public static ManifestStore manifest(String dataset) {
    return ManifestStore.at(new org.apache.hadoop.fs.Path(dataset, DatasetFiles.MANIFEST_DIR), new Configuration());
  }

  public static List<String> pendingRecords(String dataset) throws IOException {
    Path dir = Path.of(dataset, DatasetFiles.MANIFEST_DIR, "_pending");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** No manifest commit, no pending record, no data file: nothing is marked complete. */
  public static void assertNothingWritten(String dataset) {
    assertTrue(manifest(dataset).read().isEmpty(), "a manifest commit was written");
    try {
      assertEquals(List.of(), pendingRecords(dataset), "a pending record was left");
      assertEquals(List.of(), RecoveryTest.claims(dataset), "a write claim was left");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertEquals(List.of(), DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(dataset)),
        "a data file was left");
  }
}
