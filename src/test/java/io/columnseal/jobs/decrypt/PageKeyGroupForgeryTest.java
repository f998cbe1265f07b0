package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.PageKeyBytes;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.crypto.ColumnEncryptionProperties;
import org.apache.parquet.crypto.FileEncryptionProperties;
import org.apache.parquet.crypto.ParquetCipher;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader with kms:Decrypt on kms.key's group and write access to the bucket rewrites a file with
 * card_number (group alias/pan) encrypted under the file's kms.key DEK, key metadata naming it,
 * footer re-signed, AAD recomputed and size padded; or encrypted with the footer key; or stored in
 * clear. Readers check each read column's crypto metadata in the plaintext footer and give it its
 * group's DEK, so each forged file is refused naming it; verify reports it (FORMAT.md 12.5).
 */
class PageKeyGroupForgeryTest {
  private static final String FORGED = "4000000000000002";

  @TempDir
  Path tmp;

  @AfterEach
  void forget() {
    PageDataset.clearCache();
  }

  @Test
  void aColumnRewrittenUnderTheFooterGroupsDekIsRefusedAndReported() throws Exception {
    Forgery f = new Forgery(tmp);
    // Every encrypted column under its own column key, the kms.key DEK, key metadata naming it.
    f.forge(Route.COLUMN_KEY);

    // Decrypt job: the column's key metadata does not name its group's DEK; one line naming the file.
    String refused = f.decryptRefused();
    assertTrue(refused.contains(": column card_number names DEK " + f.footerDek.id() + "; page mode encrypts it with"
        + " its own column key, its key group's DEK"), refused);
    assertTrue(f.sourceRefused().contains(": column card_number names DEK " + f.footerDek.id()));

    // Verify: a key-group finding for the column, none for the footer (kms.key's DEK is its own).
    VerifyReport r = f.verify();
    assertTrue(r.findings.stream().anyMatch(x -> x.check.equals("key-group")
        && x.message.contains("column card_number in file " + f.file + " names DEK " + f.footerDek.id()
            + " of key group kms.key, but its key group is alias/pan")), r.toTerminal());
    assertEquals(1, r.findings.stream().filter(x -> x.check.equals("key-group")).count(), r.toTerminal());
  }

  @Test
  void aColumnRewrittenUnderTheFooterKeyIsRefusedByItsCryptoMetadata() throws Exception {
    Forgery f = new Forgery(tmp);
    // Parquet ignores the explicit column key of a column the file says uses the footer key.
    f.forge(Route.FOOTER_KEY);
    String expected = ": column card_number is encrypted with the footer key; page mode encrypts it with its own"
        + " column key";
    assertTrue(f.decryptRefused().contains(expected));
    assertTrue(f.sourceRefused().contains(expected));
    VerifyReport r = f.verify();
    assertTrue(r.findings.stream().anyMatch(x -> x.check.equals("page-column") && x.message.equals("column card_number"
        + " in file " + f.file + " is encrypted with the footer key, not its own column key")), r.toTerminal());
  }

  @Test
  void aColumnRewrittenInClearIsRefusedByItsCryptoMetadata() throws Exception {
    Forgery f = new Forgery(tmp);
    // Parquet reads a column the file stores in clear as plain data, whatever key it was given.
    f.forge(Route.CLEAR);
    String expected = ": column card_number is stored in clear; page mode encrypts it with its own column key";
    assertTrue(f.decryptRefused().contains(expected));
    assertTrue(f.sourceRefused().contains(expected));
    VerifyReport r = f.verify();
    assertTrue(r.findings.stream().anyMatch(x -> x.check.equals("clear-column") && x.message.equals("column"
        + " card_number in file " + f.file + " is stored in clear; the manifest says it is encrypted")),
        r.toTerminal());
  }

  /** How the attacker's file stores card_number (group alias/pan). */
  private enum Route { COLUMN_KEY, FOOTER_KEY, CLEAR }

  /**
   * A page dataset (card_number under alias/pan, cardholder_name under kms.key) whose one file an
   * attacker with kms:Decrypt on kms.key's group and bucket write access replaced: one row, its
   * footer signed with the file's kms.key DEK, AAD recomputed, size padded to the original.
   */
  private static final class Forgery {
    final JobTestKit kit;
    final String enc;
    final String file;
    final Path target;
    final DekRecord footerDek;
    final ManifestState m;

    Forgery(Path tmp) {
      kit = new JobTestKit(tmp);
      try (io.columnseal.kms.LocalKeyring ring = io.columnseal.kms.LocalKeyring.createOrOpen(kit.keyringFile)) {
        ring.createKey("alias/pan", "card numbers");
      }
      kit.reloadKeys();
      SparkSession spark = JobTestKit.spark();
      StructType schema = new StructType().add("id", DataTypes.StringType).add("card_number", DataTypes.StringType)
          .add("cardholder_name", DataTypes.StringType);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        rows.add(RowFactory.create("id-" + i, "41111111111111" + (10 + i), "Holder " + i));
      }
      enc = tmp.resolve("enc").toString();
      EncryptJob.run(spark, EncryptSettings.builder().datasetId("forged").inputPath("(memory)")
          .encryptMode(EncryptMode.PAGE).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(1)
          .policies(List.of(ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()),
              ColumnPolicy.randomized("cardholder_name"))).build(), spark.createDataFrame(rows, schema));
      m = BadInputTest.manifest(enc).read().orElseThrow();
      file = m.liveFiles().first();
      target = Path.of(enc, file);
      footerDek = m.boundFile(file).orElseThrow().deks().stream().map(id -> m.deks().get(id))
          .filter(d -> PageFormat.FOOTER_GROUP.equals(d.encryptionContext().get("columnseal:keyGroup")))
          .findFirst().orElseThrow();
    }

    void forge(Route route) throws Exception {
      long size = Files.size(target);
      Path forged = Path.of(enc).resolveSibling("forged.parquet");
      try (OpeningKey k = KeyServices.shared(kit.keys).decrypt(new WrappedKey(footerDek.keyArn(),
          footerDek.wrappedKey()), footerDek.id(), EncryptionContext.of(footerDek.encryptionContext()))) {
        byte[] key = PageKeyBytes.forReading(k);
        byte[] meta = PageFormat.keyMetadata(footerDek.id());
        Map<ColumnPath, ColumnEncryptionProperties> cols = new HashMap<>();
        cols.put(ColumnPath.get("cardholder_name"), ColumnEncryptionProperties.builder("cardholder_name")
            .withKey(key).withKeyMetaData(meta).build());
        if (route == Route.COLUMN_KEY) {
          cols.put(ColumnPath.get("card_number"), ColumnEncryptionProperties.builder("card_number").withKey(key)
              .withKeyMetaData(meta).build());
        } else if (route == Route.FOOTER_KEY) {
          cols.put(ColumnPath.get("card_number"), ColumnEncryptionProperties.builder("card_number").build());
        }
        FileEncryptionProperties props = FileEncryptionProperties.builder(key).withFooterKeyMetadata(meta)
            .withAlgorithm(ParquetCipher.AES_GCM_V1).withPlaintextFooter()
            .withAADPrefix(PageFormat.aadPrefix(m.datasetId(), file)).withoutAADPrefixStorage()
            .withEncryptedColumns(cols).build();
        MessageType type = MessageTypeParser.parseMessageType("message spark_schema { optional binary id (STRING);"
            + " optional binary card_number (STRING); optional binary cardholder_name (STRING); }");
        try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter
            .builder(new org.apache.hadoop.fs.Path(forged.toUri())).withType(type).withEncryption(props).build()) {
          w.write(new SimpleGroupFactory(type).newGroup().append("id", "id-0").append("card_number", FORGED)
              .append("cardholder_name", "Holder 0"));
        }
        java.util.Arrays.fill(key, (byte) 0);
      }
      Files.write(target, padded(Files.readAllBytes(forged), size));
      Files.delete(forged);
      Files.deleteIfExists(forged.resolveSibling("." + forged.getFileName() + ".crc"));
      Files.deleteIfExists(target.resolveSibling("." + target.getFileName() + ".crc"));
      assertEquals(size, Files.size(target));
    }

    /** The decrypt job's one-line refusal, which names the file and no value. */
    String decryptRefused() {
      DatasetException e = assertThrows(DatasetException.class,
          () -> EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet"));
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertTrue(e.getMessage().contains(target.getFileName().toString()), e.getMessage());
      assertFalse(e.getMessage().contains(FORGED), e.getMessage());
      return e.getMessage();
    }

    /** The data source's refusal of a query of card_number, which names the file and returns no value. */
    String sourceRefused() {
      Exception q = assertThrows(Exception.class, () -> JobTestKit.spark().read().format("columnseal")
          .option("kms.provider", "local").option("kms.keyring", kit.keyringFile.toString()).load(enc)
          .select("card_number").collectAsList());
      String chain = PageDecryptionTest.chain(q);
      assertTrue(chain.contains(target.getFileName().toString()), chain);
      assertFalse(chain.contains(FORGED), chain);
      return chain;
    }

    VerifyReport verify() {
      return VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3,
          List.of("card_number"), null));
    }
  }

  @Test
  void plainSparkWithTheListedColumnsReadsThemHidesTheOthersAndRefusesAClearName() {
    JobTestKit kit = new JobTestKit(tmp);
    try (io.columnseal.kms.LocalKeyring ring = io.columnseal.kms.LocalKeyring.createOrOpen(kit.keyringFile)) {
      ring.createKey("alias/pan", "card numbers");
    }
    kit.reloadKeys();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encryptMode(EncryptMode.PAGE).partitions(2).policies(List.of(
        ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()), ColumnPolicy.randomized("cvv"))).build());
    java.util.function.Function<String, org.apache.spark.sql.DataFrameReader> read = columns -> JobTestKit.spark()
        .read().option("parquet.crypto.factory.class", PageDecryption.class.getName())
        .option(PageDecryption.DATASET, enc).option("columnseal.kms.provider", "local")
        .option("columnseal.kms.keyring", kit.keyringFile.toString()).option(PageDecryption.COLUMNS, columns);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select("cvv", "city")),
        JobTestKit.sorted(read.apply("[\"cvv\"]").parquet(enc).select("cvv", "city")));
    // card_number (alias/pan) is not listed: its DEK is not the footer key's, so Parquet hides it.
    Exception hidden = assertThrows(Exception.class,
        () -> read.apply("[\"cvv\"]").parquet(enc).select("card_number").collectAsList());
    assertTrue(PageDecryptionTest.chain(hidden).contains("Column [card_number]: key access denied"),
        PageDecryptionTest.chain(hidden));
    Exception clear = assertThrows(Exception.class,
        () -> read.apply("[\"city\"]").parquet(enc).select("city").collectAsList());
    assertTrue(PageDecryptionTest.chain(clear).contains(PageDecryption.COLUMNS + " names column city, which is not an"
        + " encrypted column of dataset cards-test"), PageDecryptionTest.chain(clear));
    Exception bad = assertThrows(Exception.class,
        () -> read.apply("cvv").parquet(enc).select("cvv").collectAsList());
    assertTrue(PageDecryptionTest.chain(bad).contains(PageDecryption.COLUMNS + " must be a JSON array of column names"),
        PageDecryptionTest.chain(bad));
  }

  /** The file grown to {@code size} by zero bytes between its last column chunk and its footer. */
  private static byte[] padded(byte[] file, long size) {
    int n = file.length;
    assertTrue(n <= size, "the forged file is no larger than the original");
    int footerLen = ByteBuffer.wrap(file, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = n - 8 - footerLen;
    byte[] out = new byte[(int) size];
    System.arraycopy(file, 0, out, 0, footerStart);
    System.arraycopy(file, footerStart, out, (int) size - (n - footerStart), n - footerStart);
    return out;
  }
}
