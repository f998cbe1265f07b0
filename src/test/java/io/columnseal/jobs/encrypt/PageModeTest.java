package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.ManifestState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.parquet.format.FileMetaData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encrypt.mode=page: Parquet modular encryption under columnseal's DEKs and manifest (FORMAT.md section 12). */
public class PageModeTest {
  @TempDir
  Path tmp;

  static EncryptSettings.Builder page(EncryptSettings.Builder b) {
    return b.encryptMode(EncryptMode.PAGE);
  }

  @Test
  void everyTypeRoundTripsThroughPageModeAndTheDecryptJob() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType types = EncryptDecryptRoundTripTest.EVERY_TYPE;
    Dataset<Row> input = spark.createDataFrame(EncryptDecryptRoundTripTest.everyTypeRows(), types);
    String src = tmp.resolve("types.parquet").toString();
    input.write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(types.fieldNames()));
    encrypted.remove("id");
    RunSummary run = EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("types").inputPath(src)
        .inputFormat("parquet").columns(encrypted).keyService(kit.keys).kmsKey("alias/test").outputPath(enc)
        .partitions(2).build());
    assertEquals(5, run.rowsWritten);

    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(6, m.lastCommit().formatVersion());
    assertEquals("page", m.cellEncoding().orElseThrow());
    // Encrypted columns keep their plaintext type in the manifest and in the files.
    assertEquals("decimal(38,10)", m.schema().stream().filter(c -> c.name().equals("d38")).findFirst().orElseThrow().type());
    assertTrue(m.schema().stream().filter(c -> c.name().equals("s")).findFirst().orElseThrow().encrypted());
    assertEquals("randomized", m.schema().stream().filter(c -> c.name().equals("s")).findFirst().orElseThrow().protection());
    // cells = the non-null values of the encrypted columns, in total 15 + 13 + ... as the rows hold them.
    long nonNull = 0;
    for (Row r : input.collectAsList()) {
      for (int i = 1; i < r.size(); i++) {
        nonNull += r.isNullAt(i) ? 0 : 1;
      }
    }
    assertEquals(nonNull, m.deks().values().stream().mapToLong(DekRecord::cells).sum());
    assertEquals(types.simpleString(), spark.read().parquet(enc).schema().simpleString().replace("id:int", "id:int"));

    Dataset<Row> decrypted = EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet");
    assertEquals(types.simpleString(), decrypted.schema().simpleString());
    assertSameRows(input.orderBy("id").collectAsList(), decrypted.orderBy("id").collectAsList(), types);
  }

  @Test
  void partitionByRoundTripsAndBindsEachFileToItsPlace() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("branch", DataTypes.StringType)
        .add("card_number", DataTypes.StringType).add("day", DataTypes.StringType);
    List<Row> rows = List.of(RowFactory.create(1, "007", "4111111111111111", "2026-11-22"),
        RowFactory.create(2, "010", "5500000000000004", "2026-11-22"),
        RowFactory.create(3, "7", null, "2026-11-23"));
    Dataset<Row> input = spark.createDataFrame(rows, schema);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("branches").inputPath("(memory)")
        .columns(List.of("card_number")).partitionBy(List.of("branch", "day")).keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).partitions(1).build(), input);
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(new TreeSet<>(List.of("branch=007/day=2026-11-22", "branch=010/day=2026-11-22",
        "branch=7/day=2026-11-23")), new TreeSet<>(m.liveFiles().stream().map(f -> f.substring(0, f.lastIndexOf('/'))).toList()));
    assertEquals(1, m.deks().size(), "one task, one key group: one DEK");
    assertEquals(2L, m.deks().values().iterator().next().cells());

    Dataset<Row> decrypted = EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet");
    assertEquals(schema.simpleString(), decrypted.schema().simpleString());
    assertEquals(JobTestKit.sorted(input), JobTestKit.sorted(decrypted));
  }

  @Test
  void filesArePmeWithAPlaintextFooterAndKeyMetadataNamingTheirBoundDeks() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(enc)).build());
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(3, m.liveFiles().size());
    Set<String> manifestDeks = new HashSet<>();
    m.deks().keySet().forEach(d -> manifestDeks.add(d.hex()));
    for (String f : m.liveFiles()) {
      FileMetaData footer = PageFiles.footer(Path.of(enc, f));
      assertTrue(footer.isSetEncryption_algorithm(), f);
      assertTrue(footer.getEncryption_algorithm().isSetAES_GCM_V1(), f);
      assertFalse(footer.getEncryption_algorithm().getAES_GCM_V1().isSetAad_prefix(), "the AAD prefix is not stored");
      assertTrue(footer.getEncryption_algorithm().getAES_GCM_V1().isSetSupply_aad_prefix());
      FileRecord bound = m.boundFile(f).orElseThrow();
      Set<String> boundHex = new TreeSet<>();
      bound.deks().forEach(d -> boundHex.add(d.hex()));
      Set<String> named = new TreeSet<>();
      String footerKey = new String(footer.getFooter_signing_key_metadata(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(footerKey.matches("cs1:[0-9a-f]{16}"), footerKey);
      named.add(footerKey.substring(4));
      for (String c : JobTestKit.SENSITIVE) {
        for (String km : PageFiles.columnKeyMetadata(footer, c)) {
          assertTrue(km != null && km.matches("cs1:[0-9a-f]{16}"), c + " in " + f + ": " + km);
          named.add(km.substring(4));
        }
      }
      for (String clear : List.of("expiry", "amount")) {
        PageFiles.columnKeyMetadata(footer, clear).forEach(km -> assertNull(km, clear + " is not encrypted"));
      }
      assertEquals(boundHex, named, f + ": the file's key metadata names exactly its bound DEKs");
      assertTrue(manifestDeks.containsAll(named));
    }

    // Any Parquet reader without keys reads the clear columns; the encrypted ones fail.
    SparkSession spark = JobTestKit.spark();
    Dataset<Row> plain = spark.read().parquet(enc);
    List<String> clear = new ArrayList<>();
    for (String c : JobTestKit.sampleInput().columns()) {
      if (!JobTestKit.SENSITIVE.contains(c)) {
        clear.add(c);
      }
    }
    org.apache.spark.sql.Column[] clearCols = clear.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select(clearCols)), JobTestKit.sorted(plain.select(clearCols)));
    Exception e = assertThrows(Exception.class, () -> plain.select("card_number").collectAsList());
    assertTrue(chain(e).contains("Null File Decryptor") || chain(e).toLowerCase().contains("decrypt"), chain(e));
  }

  @Test
  void aesGcmCtrIsWrittenWhenAskedAndRoundTrips() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(enc)).pageAlgorithm(PageAlgorithm.AES_GCM_CTR_V1).build());
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    for (String f : m.liveFiles()) {
      assertTrue(PageFiles.footer(Path.of(enc, f)).getEncryption_algorithm().isSetAES_GCM_CTR_V1(), f);
    }
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
  }

  @Test
  void aRetriedTaskLeavesEveryFilesDeksInTheManifestOnce() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> input = JobTestKit.sampleInput().repartition(3);
    ExactlyOnceTest.FailFirstAttempt fault = ExactlyOnceTest.FailFirstAttempt.atRandom(false);
    Dataset<Row> flaky = input.mapPartitions(fault, Encoders.row(input.schema()));
    RunSummary run = EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(enc)).partitions(0).build(), flaky);
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(3, m.deks().size(), fault + ": one DEK per committed task; the failed attempt's is not recorded");
    assertEquals(3, run.deks, fault.toString());
    Set<Long> named = new HashSet<>();
    for (String f : m.liveFiles()) {
      FileMetaData footer = PageFiles.footer(Path.of(enc, f));
      for (String km : PageFiles.columnKeyMetadata(footer, "card_number")) {
        named.add(DekId.parse(km.substring(4)).asLong());
      }
    }
    Set<Long> listed = new HashSet<>();
    m.deks().keySet().forEach(d -> listed.add(d.asLong()));
    assertEquals(listed, named, fault + ": the DEKs in the files are exactly the manifest's");
    long nonNull = 0;
    for (String c : JobTestKit.SENSITIVE) {
      nonNull += JobTestKit.sampleInput().filter(org.apache.spark.sql.functions.col(c).isNotNull()).count();
    }
    assertEquals(nonNull, m.deks().values().stream().mapToLong(DekRecord::cells).sum(), fault + ": counted once");
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")), fault.toString());
  }

  @Test
  void keyedProtectionsCellEncodingAndQuarantineAreRefusedInPageMode() {
    for (String protection : List.of("deterministic", "fpe", "token")) {
      ConfigException e = assertThrows(ConfigException.class, () -> page(EncryptSettings.builder()).datasetId("d")
          .inputPath("in").policies(List.of(ColumnPolicy.randomized("name"),
              ColumnPolicy.of("card_number", protection, null, Map.of())))
          .keyService(io.columnseal.kms.KeyServiceSpec.local("k")).kmsKey("alias/k").outputPath("out").build());
      assertEquals("Cannot encrypt column card_number as " + protection + " with encrypt.mode=page: page mode encrypts"
          + " whole pages under a partition's DEK (randomized); use protection randomized, mask or drop, or"
          + " encrypt.mode=cell", e.getMessage());
    }
    ConfigException enc = assertThrows(ConfigException.class, () -> page(EncryptSettings.builder()).datasetId("d")
        .inputPath("in").columns(List.of("a")).encoding(io.columnseal.jobs.dataset.CellEncoding.BINARY)
        .keyService(io.columnseal.kms.KeyServiceSpec.local("k")).kmsKey("alias/k").outputPath("out").build());
    assertTrue(enc.getMessage().startsWith("Cannot set encrypt.cellEncoding with encrypt.mode=page"), enc.getMessage());
    ConfigException q = assertThrows(ConfigException.class, () -> page(EncryptSettings.builder()).datasetId("d")
        .inputPath("in").columns(List.of("a")).malformed(io.columnseal.jobs.input.MalformedRows.QUARANTINE)
        .keyService(io.columnseal.kms.KeyServiceSpec.local("k")).kmsKey("alias/k").outputPath("out").build());
    assertTrue(q.getMessage().startsWith("Cannot set input.malformed to quarantine with encrypt.mode=page"), q.getMessage());
    ConfigException alg = assertThrows(ConfigException.class, () -> EncryptSettings.builder().datasetId("d")
        .inputPath("in").columns(List.of("a")).pageAlgorithm(PageAlgorithm.AES_GCM_CTR_V1)
        .keyService(io.columnseal.kms.KeyServiceSpec.local("k")).kmsKey("alias/k").outputPath("out").build());
    assertEquals("Cannot set encrypt.pageAlgorithm with encrypt.mode=cell: it applies to encrypt.mode=page",
        alg.getMessage());
    // mask and drop need no key: allowed.
    EncryptSettings ok = page(EncryptSettings.builder()).datasetId("d").inputPath("in")
        .policies(List.of(ColumnPolicy.randomized("name"), ColumnPolicy.of("pan", "mask", null, Map.of()), ColumnPolicy.of("cvv", "drop", null, Map.of())))
        .keyService(io.columnseal.kms.KeyServiceSpec.local("k")).kmsKey("alias/k").outputPath("out").build();
    assertEquals(PageAlgorithm.AES_GCM_V1, ok.pageAlgorithm);
    assertEquals(List.of("name"), ok.columns);
  }

  @Test
  void anAppendInTheOtherModeIsRefusedBeforeAnyWork() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String cell = tmp.resolve("cell").toString();
    String pages = tmp.resolve("pages").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(cell).build());
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(pages)).build());
    List<Path> cellFiles = PageFiles.dataFiles(Path.of(cell));
    List<Path> pageFiles = PageFiles.dataFiles(Path.of(pages));

    ConfigException onCell = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        page(kit.sampleCsv(cell)).mode(OutputMode.APPEND).allowRepeat(true).build()));
    assertEquals("Cannot set encrypt.mode to page: dataset cards-test at " + cell + " is written in cell mode and one"
        + " dataset has one mode; set encrypt.mode=cell or write to another output.path", onCell.getMessage());
    ConfigException onPage = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(pages).mode(OutputMode.APPEND).allowRepeat(true).build()));
    assertEquals("Cannot set encrypt.mode to cell: dataset cards-test at " + pages + " is written in page mode and one"
        + " dataset has one mode; set encrypt.mode=page or write to another output.path", onPage.getMessage());
    assertEquals(1, BadInputTest.manifest(cell).read().orElseThrow().version());
    assertEquals(1, BadInputTest.manifest(pages).read().orElseThrow().version());
    assertEquals(cellFiles, PageFiles.dataFiles(Path.of(cell)));
    assertEquals(pageFiles, PageFiles.dataFiles(Path.of(pages)));
    // The same mode appends.
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(pages)).mode(OutputMode.APPEND).allowRepeat(true).build());
    assertEquals(2, BadInputTest.manifest(pages).read().orElseThrow().version());
    assertEquals(2000, EncryptDecryptRoundTripTest.decrypt(kit, pages, "parquet").count());
  }

  @Test
  void aColumnsOwnKeyIsItsOwnGroupAndKmsKeysGroupStillSignsEveryFooter() {
    JobTestKit kit = new JobTestKit(tmp);
    String panArn;
    try (io.columnseal.kms.LocalKeyring ring = io.columnseal.kms.LocalKeyring.createOrOpen(kit.keyringFile)) {
      panArn = ring.createKey("alias/pan", "card numbers").keyArn();
    }
    kit.reloadKeys();
    String enc = tmp.resolve("enc").toString();
    // No column is under kms.key: its group's DEK exists only as every file's footer key.
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(enc)).partitions(2).policies(List.of(
        ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()),
        ColumnPolicy.of("cardholder_name", "randomized", "alias/pan", Map.of()),
        ColumnPolicy.of("street_address", "mask", null, Map.of("show", "last4")),
        ColumnPolicy.of("cvv", "drop", null, Map.of()))).build());
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(4, m.deks().size(), "two tasks, each a DEK of alias/pan and one of kms.key");
    long footerOnly = m.deks().values().stream()
        .filter(d -> "kms.key".equals(d.encryptionContext().get("columnseal:keyGroup"))).peek(d -> {
          assertEquals(0L, d.cells(), "a footer key encrypts no value");
          assertEquals(kit.keyArn, d.keyArn());
        }).count();
    assertEquals(2, footerOnly);
    for (String f : m.liveFiles()) {
      FileMetaData footer = PageFiles.footer(Path.of(enc, f));
      DekId footerDek = DekId.parse(new String(footer.getFooter_signing_key_metadata(),
          java.nio.charset.StandardCharsets.US_ASCII).substring(4));
      assertEquals("kms.key", m.deks().get(footerDek).encryptionContext().get("columnseal:keyGroup"), f);
      for (String c : List.of("card_number", "cardholder_name")) {
        for (String km : PageFiles.columnKeyMetadata(footer, c)) {
          DekRecord d = m.deks().get(DekId.parse(km.substring(4)));
          assertEquals("alias/pan", d.encryptionContext().get("columnseal:keyGroup"), c + " in " + f);
          assertEquals(panArn, d.keyArn());
        }
      }
      PageFiles.columnKeyMetadata(footer, "street_address").forEach(km -> assertNull(km, "a mask needs no key"));
    }
    Dataset<Row> decrypted = EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet");
    assertFalse(Arrays.asList(decrypted.columns()).contains("cvv"), "dropped");
    Dataset<Row> input = JobTestKit.sampleInput().drop("cvv").drop("street_address");
    assertEquals(JobTestKit.sorted(input), JobTestKit.sorted(decrypted.drop("street_address")));
    io.columnseal.crypto.protect.Masker last4 =
        io.columnseal.crypto.protect.Masker.of(io.columnseal.crypto.protect.MaskStyle.LAST4);
    List<String> want = new ArrayList<>();
    JobTestKit.sampleInput().select("street_address").collectAsList()
        .forEach(r -> want.add(r.isNullAt(0) ? null : last4.mask(r.getString(0))));
    List<String> got = new ArrayList<>();
    decrypted.select("street_address").collectAsList().forEach(r -> got.add(r.isNullAt(0) ? null : r.getString(0)));
    want.sort(java.util.Comparator.nullsFirst(String::compareTo));
    got.sort(java.util.Comparator.nullsFirst(String::compareTo));
    assertEquals(want, got, "masked as written");
  }

  static void assertSameRows(List<Row> want, List<Row> got, StructType schema) {
    assertEquals(want.size(), got.size());
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < schema.size(); c++) {
        Object a = want.get(r).get(c);
        Object b = got.get(r).get(c);
        String where = "row " + r + " column " + schema.fieldNames()[c];
        if (a instanceof byte[]) {
          assertArrayEquals((byte[]) a, (byte[]) b, where);
        } else if (a instanceof Float && Float.isNaN((Float) a)) {
          assertEquals(Float.floatToRawIntBits((Float) a), Float.floatToRawIntBits((Float) b), where);
        } else if (a instanceof Double && Double.isNaN((Double) a)) {
          assertEquals(Double.doubleToRawLongBits((Double) a), Double.doubleToRawLongBits((Double) b), where);
        } else {
          assertEquals(a, b, where);
        }
      }
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
}
