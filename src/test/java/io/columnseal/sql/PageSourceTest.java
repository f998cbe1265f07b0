package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 item 2: the columnseal data source reads page-mode datasets (docs/READING.md, page mode). */
class PageSourceTest {
  private static final String ANALYST = "AKIDTESTREADER";

  @TempDir
  Path tmp;
  private String previousCredentialsFile;

  @AfterEach
  void restore() {
    if (previousCredentialsFile == null) {
      System.clearProperty("aws.sharedCredentialsFile");
    } else {
      System.setProperty("aws.sharedCredentialsFile", previousCredentialsFile);
    }
    SparkSession spark = JobTestKit.spark();
    spark.conf().unset("spark.columnseal.kms.provider");
    spark.conf().unset("spark.columnseal.kms.keyring");
  }

  private static EncryptSettings.Builder page(EncryptSettings.Builder b) {
    return b.encryptMode(EncryptMode.PAGE);
  }

  @Test
  void everyTypeComesBackExactlyThroughDataFrameAndSql() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = EncryptDecryptRoundTripTest.EVERY_TYPE;
    Dataset<Row> input = spark.createDataFrame(EncryptDecryptRoundTripTest.everyTypeRows(), schema);
    String src = tmp.resolve("types.parquet").toString();
    input.write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    encrypted.remove("id");
    EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("types").inputPath(src).inputFormat("parquet")
        .columns(encrypted).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).build());

    Dataset<Row> viaFormat = ColumnsealSourceTest.reader(kit).load(enc);
    assertEquals(schema.simpleString(), viaFormat.schema().simpleString());
    ColumnsealSourceTest.assertSameRows(input.orderBy("id").collectAsList(), viaFormat.orderBy("id").collectAsList(),
        schema);

    spark.sql("CREATE OR REPLACE TEMPORARY VIEW page_types USING columnseal OPTIONS (path '" + enc
        + "', 'kms.provider' 'local', 'kms.keyring' '" + kit.keyringFile + "')");
    Dataset<Row> viaSql = spark.sql("SELECT * FROM page_types ORDER BY id");
    assertEquals(schema.simpleString(), viaSql.schema().simpleString());
    ColumnsealSourceTest.assertSameRows(input.orderBy("id").collectAsList(), viaSql.collectAsList(), schema);
    assertEquals(List.of(1), spark.sql("SELECT id FROM page_types WHERE s = 'plain ascii'").collectAsList().stream()
        .map(r -> r.getInt(0)).toList());
  }

  @Test
  void clearColumnsMakeNoKmsCallFiltersApplyAndPlansShowNoOptionValue() {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/test", kms.createKey("cards"));
      String enc = tmp.resolve("enc").toString();
      JobTestKit kit = new JobTestKit(tmp);
      EncryptJob.run(spark, page(kit.sampleCsv(enc)).keyService(kms.spec()).build());
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();
      DataFrameReader r = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString());
      Dataset<Row> cards = r.load(enc);
      assertEquals(JobTestKit.sampleInput().schema().simpleString(), cards.schema().simpleString());
      List<Row> clear = JobTestKit.sorted(cards.select("city", "amount").where("amount > 100"));
      assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().select("city", "amount").where("amount > 100")), clear);
      assertEquals(List.of(), kms.log().entries(), "a clear-only query makes no KMS call");

      Dataset<Row> expected = JobTestKit.sampleInput();
      assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(cards));
      assertTrue(kms.log().of("Decrypt").size() >= 1, "an encrypted column is opened through KMS");
      Row first = expected.orderBy("card_number").first();
      Dataset<Row> one = cards.where("card_number = '" + first.getString(0) + "' AND city = '"
          + first.getAs("city") + "'");
      assertEquals(List.of(first), one.collectAsList());

      String plan = cards.select("card_number", "city").where("city = 'x'").queryExecution().toString();
      assertTrue(plan.contains("Format: columnseal dataset cards-test (manifest version 1, onUndecryptable=fail)"),
          plan);
      for (String hidden : List.of(kms.endpoint().toString(), "parquet.crypto", "columnseal.page", "PageDecryption")) {
        assertFalse(plan.contains(hidden), hidden + " in the plan: " + plan);
      }
    }
  }

  /** names under kms.key (the footer key's group), card_number under alias/pan. */
  private String encryptTwoGroups(SparkSession spark, KmsTestServer kms) {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("regions").inputPath("(memory)")
        .keyService(kms.spec()).kmsKey("alias/pii").outputPath(enc).partitionBy(List.of("region"))
        .policies(List.of(ColumnPolicy.randomized("names"),
            ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()))).build(), ReadAccessTest.input(spark));
    return enc;
  }

  private DataFrameReader analyst(SparkSession spark, KmsTestServer kms) throws Exception {
    Path credentials = Files.writeString(tmp.resolve("credentials"),
        "[analyst]\naws_access_key_id = " + ANALYST + "\naws_secret_access_key = test-secret\n");
    previousCredentialsFile = System.getProperty("aws.sharedCredentialsFile");
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    return spark.read().format("columnseal").option("kms.provider", "aws").option("kms.region", KmsTestServer.REGION)
        .option("kms.endpoint", kms.endpoint().toString()).option("kms.profile", "analyst");
  }

  @Test
  void aCallerAllowedTheFooterKeysGroupReadsItAndGetsNullOrAFailureForTheOther() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = encryptTwoGroups(spark, kms);
      DataFrameReader analyst = analyst(spark, kms);
      kms.permissions().restrict(ANALYST, "kms:Decrypt").onlyOnKeys(ANALYST, "kms:Decrypt", piiArn);
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();

      Dataset<Row> nulls = analyst.option("onUndecryptable", "null").load(enc);
      assertEquals("struct<id:int,region:string,names:string,card_number:string>", nulls.schema().simpleString());
      assertEquals("[[1,Ada Lovelace,null], [2,Alan Turing,null], [3,Grace Hopper,null], [4,null,null],"
          + " [5,Edsger Dijkstra,null], [6,Barbara Liskov,null]]",
          JobTestKit.sorted(nulls.select("id", "names", "card_number")).toString());
      List<LoggedRequest> decrypts = kms.log().of("Decrypt");
      assertEquals(1, decrypts.stream().filter(r -> r.keyId().equals(panArn)).count(),
          "one refused probe of alias/pan, and card_number is not read from the files: " + decrypts);
      assertTrue(decrypts.stream().filter(r -> r.keyId().equals(piiArn)).allMatch(LoggedRequest::ok));

      KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
          () -> analyst.option("onUndecryptable", "fail").load(enc).select("id", "card_number").collectAsList());
      assertTrue(denied.getMessage().contains("this caller may not decrypt column(s) card_number of dataset regions"
          + " (master key " + panArn + ", key alias/pan); set onUndecryptable to null to read them as null, or select"
          + " other columns"), denied.getMessage());
      assertFalse(denied.getMessage().contains("4111"), denied.getMessage());
      assertEquals(6, analyst.load(enc).select("names").collectAsList().size());

      ConfigException raw = assertThrows(ConfigException.class, () -> analyst.option("onUndecryptable", "raw").load(enc));
      assertEquals("Cannot set onUndecryptable to raw for page-mode dataset regions: its columns are encrypted by page,"
          + " so there are no stored cells to return; use fail or null", raw.getMessage());

      // The job's principal, allowed both keys, reads both.
      Dataset<Row> all = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString()).load(enc);
      assertEquals(JobTestKit.sorted(ReadAccessTest.input(spark).select("id", "names", "card_number")),
          JobTestKit.sorted(all.select("id", "names", "card_number")));
    }
  }

  @Test
  void aCallerWithoutTheFooterKeysGroupOpensNoEncryptedColumnEvenOfItsOwnGroup() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = encryptTwoGroups(spark, kms);
      DataFrameReader analyst = analyst(spark, kms);
      kms.permissions().restrict(ANALYST, "kms:Decrypt").onlyOnKeys(ANALYST, "kms:Decrypt", panArn);
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();

      // Every file's footer is signed under a kms.key DEK: without it, card_number does not open either.
      assertEquals("[[1,eu,null,null], [2,eu,null,null], [3,us,null,null], [4,us,null,null], [5,ap,null,null],"
          + " [6,ap,null,null]]", JobTestKit.sorted(analyst.option("onUndecryptable", "null").load(enc)
              .select("id", "region", "names", "card_number")).toString());
      KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
          () -> analyst.option("onUndecryptable", "fail").load(enc).select("id", "card_number").collectAsList());
      assertTrue(denied.getMessage().contains("this caller may not decrypt the footer key of page-mode dataset regions"
          + " (master key " + piiArn + ", key kms.key), which signs every file and so is needed to read column(s)"
          + " card_number; set onUndecryptable to null to read them as null, or select other columns"),
          denied.getMessage());
      kms.log().clear();
      assertEquals("[[1,eu], [2,eu], [3,us], [4,us], [5,ap], [6,ap]]",
          JobTestKit.sorted(analyst.load(enc).select("id", "region")).toString());
      assertEquals(List.of(), kms.log().entries(), "clear columns: no KMS call");
    }
  }

  @Test
  void plainColumnNamesAndACallerWithNoDecryptGetNullsOrOneLineNamingColumnsAndKey() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names and cards");
      kms.createAlias("alias/pii", piiArn);
      String enc = tmp.resolve("enc").toString();
      // Plain column names: no per-column key, every column in kms.key's group.
      EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("plain").inputPath("(memory)")
          .keyService(kms.spec()).kmsKey("alias/pii").outputPath(enc).partitionBy(List.of("region"))
          .columns(List.of("names", "card_number")).build(), ReadAccessTest.input(spark));
      DataFrameReader analyst = analyst(spark, kms);
      kms.permissions().restrict(ANALYST, "kms:DescribeKey"); // no kms:Decrypt at all
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();

      assertEquals("[[1,eu,null,null], [2,eu,null,null], [3,us,null,null], [4,us,null,null], [5,ap,null,null],"
          + " [6,ap,null,null]]", JobTestKit.sorted(analyst.option("onUndecryptable", "null").load(enc)
              .select("id", "region", "names", "card_number")).toString());
      assertTrue(kms.log().of("Decrypt").stream().noneMatch(LoggedRequest::ok), "no DEK was unwrapped");
      KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
          () -> analyst.option("onUndecryptable", "fail").load(enc).select("id", "card_number").collectAsList());
      assertFalse(denied.getMessage().contains("\n"), denied.getMessage());
      assertTrue(denied.getMessage().endsWith("this caller may not decrypt column(s) card_number of dataset plain"
          + " (master key " + piiArn + ", key kms.key); set onUndecryptable to null to read them as null, or select"
          + " other columns"), denied.getMessage());
      assertFalse(denied.getMessage().contains("4111"), denied.getMessage());
      kms.log().clear();
      assertEquals("[[1,eu], [2,eu], [3,us], [4,us], [5,ap], [6,ap]]",
          JobTestKit.sorted(analyst.load(enc).select("id", "region")).toString());
      assertEquals(List.of(), kms.log().entries(), "clear columns: no KMS call");
    }
  }

  @Test
  void aFilterOnAPartitionColumnUnwrapsOnlyTheDeksOfTheFilesItReads() {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = encryptTwoGroups(spark, kms);
      io.columnseal.manifest.ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
      java.util.Set<String> usDeks = new java.util.HashSet<>();
      m.liveFiles().stream().filter(f -> f.startsWith("region=us/"))
          .forEach(f -> m.boundFile(f).orElseThrow().deks().forEach(d -> usDeks.add(d.toString())));
      java.util.Set<String> usFooterDeks = new java.util.HashSet<>(usDeks);
      usFooterDeks.removeIf(d -> !m.deks().values().stream().anyMatch(r -> r.id().toString().equals(d)
          && r.keyArn().equals(piiArn)));
      assertEquals(1, usFooterDeks.size(), "the us file's kms.key DEK: " + usDeks);
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();

      Dataset<Row> us = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString()).load(enc)
          .where("region = 'us'").select("id", "names");
      assertEquals("[[3,Grace Hopper], [4,null]]", JobTestKit.sorted(us).toString());
      java.util.Set<String> unwrapped = new java.util.HashSet<>();
      kms.log().of("Decrypt").forEach(r -> unwrapped.add(r.context().get(io.columnseal.kms.EncryptionContext.DEK)));
      assertTrue(unwrapped.containsAll(usFooterDeks), "the us file's DEK " + usFooterDeks + " in " + unwrapped);
      // Besides it, at most the driver's probe of kms.key (names' group and the footer key's).
      assertTrue(unwrapped.size() <= 2, "DEKs unwrapped: " + unwrapped);
      assertTrue(kms.log().of("Decrypt").stream().noneMatch(r -> r.keyId().equals(panArn)),
          "no card_number DEK: the query does not read that column");
      assertEquals(kms.log().of("Decrypt").size(), unwrapped.size(), "each DEK unwrapped once");
    }
  }

  @Test
  void columnsealDecryptIsRefusedForAPageModeDataset() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, page(kit.sampleCsv(enc)).build());
    ColumnsealExtensions.register(spark);
    spark.conf().set("spark.columnseal.kms.provider", "local");
    spark.conf().set("spark.columnseal.kms.keyring", kit.keyringFile.toString());
    spark.read().parquet(enc).createOrReplaceTempView("page_cards");
    Exception e = assertThrows(Exception.class,
        () -> spark.sql("SELECT columnseal_decrypt(card_number, '" + enc + "', 'card_number') FROM page_cards"));
    ConfigException ours = assertInstanceOf(ConfigException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("columnseal_decrypt has no meaning for page-mode dataset cards-test: it has no cells, Parquet decrypts"
        + " its pages; read it with format(\"columnseal\") or USING columnseal", ours.getMessage());
  }

  /** Issue 16 follow-up: a page that does not authenticate fails the query with one line naming its file. */
  @Test
  void aFlippedByteInAPageFailsTheQueryWithOneLineNamingTheFile() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), page(kit.sampleCsv(enc)).partitions(1).build());
    String live = BadInputTest.manifest(enc).read().orElseThrow().liveFiles().first();
    Path file = Path.of(enc, live);
    org.apache.parquet.format.ColumnMetaData chunk = null;
    for (org.apache.parquet.format.ColumnChunk c : io.columnseal.jobs.encrypt.PageFiles.footer(file).getRow_groups()
        .get(0).getColumns()) {
      if (c.isSetCrypto_metadata() && c.getMeta_data().getPath_in_schema().equals(List.of("cvv"))) {
        chunk = c.getMeta_data();
      }
    }
    long start = chunk.isSetDictionary_page_offset() ? chunk.getDictionary_page_offset() : chunk.getData_page_offset();
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) (start + chunk.getTotal_compressed_size() / 2)] ^= 0x01;
    Files.write(file, bytes);
    dropChecksums(file);

    assertEquals(1000, ColumnsealSourceTest.reader(kit).load(enc).select("city").count(), "clear columns open nothing");
    String line = oneLine(assertThrows(Exception.class,
        () -> ColumnsealSourceTest.reader(kit).load(enc).select("cvv").collectAsList()));
    assertTrue(line.startsWith("page-mode file ") && line.contains(file.getFileName() + " of dataset cards-test does "
        + "not decrypt: "), line);
    // The path holds digits of its own: the cause after it must hold no value.
    assertNoSampleValue(line.substring(line.indexOf(" does not decrypt: ")), "cvv");
  }

  /** Issue 16 follow-up: two files swapped between partition folders fail their AAD, in one line naming a file. */
  @Test
  void aFileMovedToAnotherPartitionFolderFailsTheQueryWithOneLineNamingTheFile() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = new StructType().add("id", org.apache.spark.sql.types.DataTypes.IntegerType)
        .add("branch", org.apache.spark.sql.types.DataTypes.StringType)
        .add("card_number", org.apache.spark.sql.types.DataTypes.StringType);
    Dataset<Row> input = spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(1, "a", "4111111111111111"),
        org.apache.spark.sql.RowFactory.create(2, "b", "5500000000000004")), schema);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, page(EncryptSettings.builder()).datasetId("moves").inputPath("(memory)")
        .columns(List.of("card_number")).partitionBy(List.of("branch")).keyService(kit.keys).kmsKey("alias/test")
        .outputPath(enc).partitions(1).build(), input);
    List<String> files = List.copyOf(BadInputTest.manifest(enc).read().orElseThrow().liveFiles());
    Path a = Path.of(enc, files.get(0));
    Path b = Path.of(enc, files.get(1));
    assertEquals(Files.size(a), Files.size(b), "same sizes: the manifest's file sizes do not tell them apart");
    Path t = tmp.resolve("swap");
    Files.move(a, t);
    Files.move(b, a);
    Files.move(t, b);
    dropChecksums(a, b);

    String line = oneLine(assertThrows(Exception.class,
        () -> ColumnsealSourceTest.reader(kit).load(enc).select("id", "card_number").collectAsList()));
    assertTrue(line.contains(a.getFileName().toString()) || line.contains(b.getFileName().toString()), line);
    assertTrue(line.contains(" of dataset moves does not decrypt: "), line);
    assertFalse(line.contains("4111111111111111") || line.contains("5500000000000004"), line);
  }

  /** columnseal's own exception in Spark's task failure: one line. */
  private static String oneLine(Exception e) {
    io.columnseal.ColumnsealException ours = BadInputTest.ours(e);
    assertInstanceOf(io.columnseal.jobs.dataset.DatasetException.class, ours, String.valueOf(e));
    assertFalse(ours.getMessage().contains("\n"), ours.getMessage());
    return ours.getMessage();
  }

  private static void assertNoSampleValue(String line, String column) {
    for (Row r : JobTestKit.sampleInput().select(column).collectAsList()) {
      String v = r.getString(0);
      assertFalse(v != null && v.length() > 2 && line.contains(v), "a " + column + " value in the message");
    }
  }

  private static void dropChecksums(Path... files) throws java.io.IOException {
    for (Path f : files) {
      Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc")); // Hadoop's local checksum
    }
  }
}
