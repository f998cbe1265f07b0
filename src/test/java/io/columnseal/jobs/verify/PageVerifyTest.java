package io.columnseal.jobs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.PageFiles;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify of a page-mode dataset (docs/jobs/verify.md, FORMAT.md section 12): clean, and each kind of damage. */
class PageVerifyTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("card_number", DataTypes.StringType).add("cardholder_name", DataTypes.StringType);
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");

  @TempDir
  Path tmp;

  @Test
  void aCleanPageModeDatasetVerifies() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(6, r.rowsFound);
    assertEquals(6, r.rowsExpected);
    assertEquals(2, r.deksInManifest);
    assertEquals(2, r.deksInData);
    assertEquals(2, r.deksUnwrapped);
    assertEquals(11, r.cellsChecked, "6 card numbers and 5 names (one is null)");
    assertTrue(r.samplesDecrypted >= 4, "at least one page per encrypted column of both files: " + r.samplesDecrypted);
  }

  @Test
  void aDatasetNamedByARelativePathVerifies() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    // As `columnseal verify --dataset work/cards_enc` gives it: relative to the working directory.
    Path link = Path.of("target", "page-verify-relative-" + System.nanoTime());
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of(enc));
    try {
      VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, link.toString()));
      assertTrue(r.ok(), r.toTerminal());
      assertTrue(r.samplesDecrypted >= 4, r.toTerminal());
    } finally {
      Files.delete(link);
    }
  }

  @Test
  void anEncryptedColumnStoredInClearIsAFinding() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    Path victim = PageFiles.dataFiles(Path.of(enc)).get(0);
    // The same name, written by plain Spark: no PME at all, the card numbers in clear.
    String plain = tmp.resolve("plain").toString();
    JobTestKit.spark().createDataFrame(List.of(RowFactory.create(0, "4000000000000000", "Omar Singh"),
        RowFactory.create(1, "4000000000000001", "William Brown"), RowFactory.create(2, "4000000000000002", null)),
        SCHEMA).coalesce(1).write().parquet(plain);
    replace(victim, Files.readAllBytes(PageFiles.dataFiles(Path.of(plain)).get(0)));

    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertFalse(r.ok());
    String name = relative(enc, victim);
    assertTrue(has(r, "clear-column", "column card_number in file " + name + " is stored in clear"), r.toTerminal());
    assertTrue(has(r, "clear-column", "column cardholder_name in file " + name + " is stored in clear"), r.toTerminal());
    assertTrue(has(r, "page-footer", "file " + name + " is not Parquet modular encrypted"), r.toTerminal());
    assertTrue(r.findings.stream().noneMatch(f -> f.message.contains("4000000000000000")), "no value in a finding");
  }

  @Test
  void keyMetadataNamingAnotherFilesDekIsAFinding() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    ManifestState m = manifest(enc);
    List<Path> files = PageFiles.dataFiles(Path.of(enc));
    String a = relative(enc, files.get(0));
    DekId own = m.boundFile(a).orElseThrow().deks().get(0);
    DekId other = m.boundFile(relative(enc, files.get(1))).orElseThrow().deks().get(0);
    assertFalse(own.equals(other), "two tasks, two DEKs");
    byte[] bytes = Files.readAllBytes(files.get(0));
    int swapped = swap(bytes, ("cs1:" + own.hex()).getBytes(StandardCharsets.US_ASCII),
        ("cs1:" + other.hex()).getBytes(StandardCharsets.US_ASCII));
    assertEquals(3, swapped, "the footer signing key and both columns' key metadata");
    replace(files.get(0), bytes);

    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertEquals(3, r.findings.size(), r.toTerminal());
    String why = "names DEK " + other + ", which the manifest does not bind to that file";
    assertTrue(has(r, "key-metadata", "the footer signing key in file " + a + " " + why), r.toTerminal());
    assertTrue(has(r, "key-metadata", "column card_number's key metadata in file " + a + " " + why), r.toTerminal());
    assertTrue(has(r, "key-metadata", "column cardholder_name's key metadata in file " + a + " " + why),
        r.toTerminal());
  }

  @Test
  void aFlippedByteInAnEncryptedPageIsAFinding() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    Path victim = PageFiles.dataFiles(Path.of(enc)).get(0);
    ColumnMetaData card = chunk(PageFiles.footer(victim), "card_number");
    long start = card.isSetDictionary_page_offset() ? card.getDictionary_page_offset() : card.getData_page_offset();
    byte[] bytes = Files.readAllBytes(victim);
    bytes[(int) (start + card.getTotal_compressed_size() / 2)] ^= 0x01;
    replace(victim, bytes);

    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertEquals(1, r.findings.size(), r.toTerminal());
    assertTrue(has(r, "cells", "the pages of file " + relative(enc, victim) + " did not decrypt"), r.toTerminal());
  }

  @Test
  void withNoSampledRowGroupNoPageIsDecryptedButTheCountsStillHold() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit);
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 0, SENSITIVE,
        null));
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(0, r.samplesDecrypted);
    assertEquals(11, r.cellsChecked);
  }

  // ---- helpers

  /** Six rows in two partitions (two DEKs), card numbers and names encrypted in page mode; one null name. */
  private String encrypt(JobTestKit kit) {
    List<Row> rows = new ArrayList<>();
    String[] names = {"Omar Singh", "William Brown", null, "Ana Lima", "Li Wei", "Sam Okafor"};
    for (int i = 0; i < names.length; i++) {
      rows.add(RowFactory.create(i, "400000000000000" + i, names[i]));
    }
    Dataset<Row> input = JobTestKit.spark().createDataFrame(rows, SCHEMA);
    String out = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards-pages").inputPath("(memory)")
        .columns(SENSITIVE).encryptMode(EncryptMode.PAGE).keyService(kit.keys).kmsKey("alias/test").outputPath(out)
        .partitions(2).build(), input);
    return out;
  }

  private static VerifySettings deep(JobTestKit kit, String dataset) {
    return new VerifySettings(dataset, null, kit.keys, false, 3, SENSITIVE, null);
  }

  static ManifestState manifest(String dataset) {
    return ManifestStore.at(ManifestStore.defaultDir(new org.apache.hadoop.fs.Path(dataset)), new Configuration())
        .read().orElseThrow();
  }

  private static String relative(String dataset, Path file) {
    return Path.of(dataset).relativize(file).toString().replace('\\', '/');
  }

  private static ColumnMetaData chunk(FileMetaData footer, String column) {
    for (ColumnChunk c : footer.getRow_groups().get(0).getColumns()) {
      if (c.isSetMeta_data() && String.join(".", c.getMeta_data().getPath_in_schema()).equals(column)) {
        return c.getMeta_data();
      }
    }
    throw new IllegalStateException("no plaintext metadata for column " + column);
  }

  /** Replaces every occurrence of {@code from} with {@code to} (same length); returns how many. */
  private static int swap(byte[] bytes, byte[] from, byte[] to) {
    int n = 0;
    for (int i = 0; i + from.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, bytes, i, to.length);
        n++;
      }
    }
    return n;
  }

  /** Rewrites a data file as S3 would: without the local filesystem's .crc beside it. */
  private static void replace(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  private static boolean has(VerifyReport r, String check, String text) {
    return r.findings.stream().anyMatch(f -> f.check.equals(check) && f.message.contains(text));
  }
}
