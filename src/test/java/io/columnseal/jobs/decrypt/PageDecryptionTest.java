package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.PageFiles;
import io.columnseal.manifest.ManifestState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.crypto.FileDecryptionProperties;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading page-mode files through {@link PageDecryption}: what it checks, and what fails (FORMAT.md section 12). */
class PageDecryptionTest {
  @TempDir
  Path tmp;

  @AfterEach
  void forgetDatasets() {
    PageDataset.clearCache();
  }

  private String encrypt(JobTestKit kit, String name, int partitions) {
    String enc = tmp.resolve(name).toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encryptMode(EncryptMode.PAGE).partitions(partitions).build());
    return enc;
  }

  private static Configuration readerConf(JobTestKit kit, String enc) {
    Configuration conf = new Configuration();
    conf.set(PageDecryption.DATASET, enc);
    conf.set("columnseal.kms.provider", "local");
    conf.set("columnseal.kms.keyring", kit.keyringFile.toString());
    return conf;
  }

  private static String decryptError(JobTestKit kit, String enc) {
    DatasetException e = assertThrows(DatasetException.class,
        () -> EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet"));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void plainSparkReadsEverythingWithOnlyTheFactoryAndItsHadoopKeys() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 3);
    SparkSession spark = JobTestKit.spark();
    Dataset<Row> read = spark.read().option("parquet.crypto.factory.class", PageDecryption.class.getName())
        .option(PageDecryption.DATASET, enc).option("columnseal.kms.provider", "local")
        .option("columnseal.kms.keyring", kit.keyringFile.toString()).parquet(enc);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(read));
    // Nothing was set on the shared session.
    assertFalse(spark.conf().contains("parquet.crypto.factory.class"));
    assertEquals(null, spark.sparkContext().hadoopConfiguration().get("parquet.crypto.factory.class"));
  }

  @Test
  void aDatasetOverwrittenOrAppendedToSinceTheLastReadIsReadAgainInTheSameJvm() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 2);
    SparkSession spark = JobTestKit.spark();
    java.util.function.Supplier<Dataset<Row>> read = () -> spark.read()
        .option("parquet.crypto.factory.class", PageDecryption.class.getName()).option(PageDecryption.DATASET, enc)
        .option("columnseal.kms.provider", "local").option("columnseal.kms.keyring", kit.keyringFile.toString())
        .parquet(enc);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(read.get()));

    // Within PageDataset's 30 s: the cached manifest does not list the new run's files or DEKs.
    Dataset<Row> fewer = JobTestKit.sampleInput().where("amount > 100");
    EncryptJob.run(spark, kit.sampleCsv(enc).inputPath("(memory)").encryptMode(EncryptMode.PAGE)
        .mode(io.columnseal.jobs.encrypt.OutputMode.OVERWRITE).build(), fewer);
    assertEquals(JobTestKit.sorted(fewer), JobTestKit.sorted(read.get()));

    Dataset<Row> more = JobTestKit.sampleInput().where("amount <= 100");
    EncryptJob.run(spark, kit.sampleCsv(enc).inputPath("(memory)").encryptMode(EncryptMode.PAGE)
        .mode(io.columnseal.jobs.encrypt.OutputMode.APPEND).build(), more);
    assertEquals(JobTestKit.sorted(fewer.union(more)), JobTestKit.sorted(read.get()));
  }

  /** The keys every columnseal reader hands Parquet are the ones PageDecryption reads back. */
  @Test
  void hadoopKeysAreReadBackByPageDecryptionsSettings() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 1);
    io.columnseal.jobs.dataset.DatasetSnapshot snap = io.columnseal.jobs.dataset.DatasetSnapshot.open(
        new Configuration(), enc, null);
    java.util.Map<String, String> keys = PageReaderSettings.hadoopKeys(snap, kit.keys,
        io.columnseal.kms.TrustedKeys.of(List.of(kit.keyArn)), "alias/mac");
    assertEquals(PageDecryption.class.getName(), keys.get(PageDecryption.FACTORY_KEY));
    assertFalse(keys.containsKey(PageDecryption.MANIFEST_PATH), "the default manifest folder is not named");
    Configuration conf = new Configuration(false);
    keys.forEach(conf::set);
    PageReaderSettings back = PageReaderSettings.of(conf);
    assertEquals(enc, back.dataset);
    assertEquals(Long.valueOf(snap.state.version()), back.version);
    assertEquals(kit.keys, back.keyService);
    assertEquals(List.of(kit.keyArn), back.allowedKeys);
    assertEquals("alias/mac", back.macKey);
    assertEquals(null, back.manifestPath);
  }

  @Test
  void theDecryptJobWritesTheClearColumnsAndTheChosenOnes() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 2);
    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of("cvv"), kit.keys, false));
    Dataset<Row> got = JobTestKit.spark().read().parquet(out);
    List<String> want = new java.util.ArrayList<>(List.of(JobTestKit.sampleInput().columns()));
    want.removeAll(List.of("card_number", "cardholder_name", "street_address"));
    assertEquals(want, List.of(got.columns()));
    org.apache.spark.sql.Column[] cols = want.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select(cols)), JobTestKit.sorted(got));
  }

  @Test
  void aFileMovedToAnotherPartitionFolderFailsItsAad() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("branch", DataTypes.StringType)
        .add("card_number", DataTypes.StringType);
    Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create(1, "a", "4111111111111111"),
        RowFactory.create(2, "b", "5500000000000004")), schema);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("moves").inputPath("(memory)").encryptMode(EncryptMode.PAGE)
        .columns(List.of("card_number")).partitionBy(List.of("branch")).keyService(kit.keys).kmsKey("alias/test")
        .outputPath(enc).partitions(1).build(), input);
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    List<String> files = List.copyOf(m.liveFiles());
    // One task wrote both: the same DEKs are bound to both files, so only the AAD tells them apart.
    assertEquals(m.boundFile(files.get(0)).orElseThrow().deks(), m.boundFile(files.get(1)).orElseThrow().deks());
    Path a = Path.of(enc, files.get(0));
    Path b = Path.of(enc, files.get(1));
    Path t = tmp.resolve("swap");
    Files.move(a, t);
    Files.move(b, a);
    Files.move(t, b);
    dropChecksums(a, b);
    String msg = decryptError(kit, enc);
    assertTrue(msg.contains(a.getFileName().toString()) || msg.contains(b.getFileName().toString()), msg);
    assertTrue(msg.contains("of dataset moves does not decrypt"), msg);
  }

  @Test
  void aRenamedOrForeignFileIsNotALiveFile() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 1);
    String live = BadInputTest.manifest(enc).read().orElseThrow().liveFiles().first();
    Path renamed = Path.of(enc, "part-00009-renamed.snappy.parquet");
    Files.copy(Path.of(enc, live), renamed);
    ParquetCryptoRuntimeExceptionHolder.assertRefused(() -> new PageDecryption()
        .getFileDecryptionProperties(readerConf(kit, enc), new org.apache.hadoop.fs.Path(renamed.toUri())),
        "file:" + renamed + " is not a live file of dataset cards-test");
    // Through Spark, the task fails naming the file.
    Exception e = assertThrows(Exception.class, () -> JobTestKit.spark().read()
        .option("parquet.crypto.factory.class", PageDecryption.class.getName()).option(PageDecryption.DATASET, enc)
        .option("columnseal.kms.provider", "local").option("columnseal.kms.keyring", kit.keyringFile.toString())
        .parquet(renamed.toString()).collectAsList());
    assertTrue(chain(e).contains("part-00009-renamed.snappy.parquet is not a live file of dataset cards-test"), chain(e));
  }

  @Test
  void aFileWhoseKeyMetadataNamesAnotherFilesDekIsRefused() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 2);
    List<String> files = List.copyOf(BadInputTest.manifest(enc).read().orElseThrow().liveFiles());
    Files.copy(Path.of(enc, files.get(1)), Path.of(enc, files.get(0)), StandardCopyOption.REPLACE_EXISTING);
    dropChecksums(Path.of(enc, files.get(0)));
    String msg = decryptError(kit, enc);
    // The read's columns are checked in the plaintext footer first (FORMAT.md 12.5).
    assertTrue(msg.contains(files.get(0) + " of dataset cards-test: column card_number names DEK "), msg);
    assertTrue(msg.endsWith(", which the manifest does not bind to that file"), msg);
  }

  @Test
  void aFlippedByteInAnEncryptedPageFailsItsTag() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 1);
    String live = BadInputTest.manifest(enc).read().orElseThrow().liveFiles().first();
    Path file = Path.of(enc, live);
    FileMetaData footer = PageFiles.footer(file);
    ColumnMetaData chunk = null;
    for (ColumnChunk c : footer.getRow_groups().get(0).getColumns()) {
      if (c.isSetCrypto_metadata() && c.getMeta_data().getPath_in_schema().equals(List.of("card_number"))) {
        chunk = c.getMeta_data();
      }
    }
    long start = chunk.isSetDictionary_page_offset() ? chunk.getDictionary_page_offset() : chunk.getData_page_offset();
    long flip = start + chunk.getTotal_compressed_size() / 2;
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) flip] ^= 0x01;
    Files.write(file, bytes);
    dropChecksums(file);
    String msg = decryptError(kit, enc);
    assertTrue(msg.contains(file.getFileName().toString()), msg);
    assertTrue(msg.contains("does not decrypt"), msg);
  }

  @Test
  void theAadPrefixBindsTheDatasetId() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "enc", 1);
    String live = BadInputTest.manifest(enc).read().orElseThrow().liveFiles().first();
    Configuration conf = readerConf(kit, enc);
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(Path.of(enc, live).toUri());
    FileDecryptionProperties right = new PageDecryption().getFileDecryptionProperties(conf, file);
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf),
        HadoopReadOptions.builder(conf).withDecryption(right).build())) {
      assertEquals(1000, r.getRecordCount());
    }
    FileDecryptionProperties otherDataset = FileDecryptionProperties.builder()
        .withKeyRetriever(right.getKeyRetriever())
        .withAADPrefix(PageFormat.aadPrefix("cards-other", live)).build();
    Exception e = assertThrows(Exception.class, () -> ParquetFileReader.open(HadoopInputFile.fromPath(file, conf),
        HadoopReadOptions.builder(conf).withDecryption(otherDataset).build()).close());
    assertTrue(chain(e).contains("ParquetCryptoRuntimeException") || chain(e).contains("TagVerification"), chain(e));
  }

  @Test
  void keyMetadataIsExactlyCs1AndSixteenHexDigits() {
    DekId id = DekId.parse("0123456789abcdef");
    assertArrayEquals("cs1:0123456789abcdef".getBytes(StandardCharsets.US_ASCII), PageFormat.keyMetadata(id));
    assertEquals(id, PageFormat.parseKeyMetadata("cs1:0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
    for (String junk : List.of("", "cs1:", "cs1:0123456789ABCDEF", "cs2:0123456789abcdef", "cs1:0123456789abcdeg",
        "cs1:0123456789abcdef0", "{\"keyMaterialType\":\"PKMT1\"}", "cs1:0123456789abcde ")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PageFormat.parseKeyMetadata(junk.getBytes(StandardCharsets.UTF_8)), junk);
      assertFalse(junk.length() > 4 && e.getMessage().contains(junk), "the bytes are not echoed: " + e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> PageFormat.parseKeyMetadata(null));
    assertArrayEquals(("columnseal page v1\ncards\ncountry=FR/part-00000.parquet").getBytes(StandardCharsets.UTF_8),
        PageFormat.aadPrefix("cards", "country=FR/part-00000.parquet"));
  }

  /** Hadoop's local file system checks its own .crc sidecar first; an attacker edits both. */
  static void dropChecksums(Path... files) throws java.io.IOException {
    for (Path f : files) {
      Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
    }
  }

  static String chain(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      s.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
      if (t.getCause() == t) {
        break;
      }
    }
    return s.toString();
  }

  /** Asserts a call fails with Parquet's crypto exception carrying exactly {@code message}. */
  static final class ParquetCryptoRuntimeExceptionHolder {
    static void assertRefused(org.junit.jupiter.api.function.Executable call, String message) {
      org.apache.parquet.crypto.ParquetCryptoRuntimeException e =
          assertThrows(org.apache.parquet.crypto.ParquetCryptoRuntimeException.class, call);
      assertEquals(message, e.getMessage());
    }
  }
}
