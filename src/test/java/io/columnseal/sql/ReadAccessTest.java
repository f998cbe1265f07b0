package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.DataFrameReader;
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
 * Issue 15 items 1 and 3: a caller allowed kms:Decrypt on one key group's master key reads that
 * group's columns in clear and the other's as onUndecryptable says; only the DEKs of the files a
 * query reads are unwrapped; a dataset with an unfinished run is refused.
 */
class ReadAccessTest {
  private static final String ANALYST = "AKIDTESTREADER";
  static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("region", DataTypes.StringType).add("names", DataTypes.StringType)
      .add("card_number", DataTypes.StringType);

  @TempDir
  Path tmp;
  private String previousCredentialsFile;

  @AfterEach
  void restoreCredentialsFile() {
    if (previousCredentialsFile == null) {
      System.clearProperty("aws.sharedCredentialsFile");
    } else {
      System.setProperty("aws.sharedCredentialsFile", previousCredentialsFile);
    }
  }

  /** Three partitions, one region each: partitioned by region, each region's files have their own DEKs. */
  static Dataset<Row> input(SparkSession spark) {
    List<Row> rows = List.of(
        RowFactory.create(1, "eu", "Ada Lovelace", "4111111111111111"),
        RowFactory.create(2, "eu", "Alan Turing", "5500000000000004"),
        RowFactory.create(3, "us", "Grace Hopper", "6011000000000004"),
        RowFactory.create(4, "us", null, "340000000000009"),
        RowFactory.create(5, "ap", "Edsger Dijkstra", null),
        RowFactory.create(6, "ap", "Barbara Liskov", "4000056655665556"));
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), SCHEMA);
  }

  private String encrypt(SparkSession spark, KmsTestServer kms) {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("regions").inputPath("(memory)")
        .keyService(kms.spec()).kmsKey("alias/pii").outputPath(enc).partitionBy(List.of("region"))
        .policies(List.of(ColumnPolicy.randomized("names"),
            ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()))).build(), input(spark));
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
  void aCallerAllowedOneKeyReadsItsColumnsAndGetsNullRawOrAFailureForTheOther() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = encrypt(spark, kms);
      DataFrameReader analyst = analyst(spark, kms);
      kms.permissions().restrict(ANALYST, "kms:Decrypt").onlyOnKeys(ANALYST, "kms:Decrypt", piiArn);
      kms.log().clear();

      Dataset<Row> nulls = analyst.option("onUndecryptable", "null").load(enc);
      assertEquals("struct<id:int,region:string,names:string,card_number:string>", nulls.schema().simpleString());
      assertEquals("[[1,Ada Lovelace,null], [2,Alan Turing,null], [3,Grace Hopper,null], [4,null,null],"
          + " [5,Edsger Dijkstra,null], [6,Barbara Liskov,null]]",
          JobTestKit.sorted(nulls.select("id", "names", "card_number")).toString());
      List<LoggedRequest> decrypts = kms.log().of("Decrypt");
      // Keys are unwrapped on the executors, only those of the files read: each card_number DEK is
      // asked for once and refused; its cells read as null.
      List<String> panDeks = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration())
          .read().orElseThrow().deks().values().stream().filter(d -> d.keyArn().equals(panArn))
          .map(d -> d.id().toString()).sorted().toList();
      assertEquals(panDeks, decrypts.stream().filter(r -> r.keyId().equals(panArn))
          .map(r -> r.context().get(EncryptionContext.DEK)).sorted().toList(), "one refused call per alias/pan DEK");
      assertTrue(decrypts.stream().filter(r -> r.keyId().equals(panArn)).allMatch(r -> !r.ok()));
      assertTrue(decrypts.stream().filter(r -> r.keyId().equals(piiArn)).allMatch(LoggedRequest::ok));
      assertTrue(decrypts.stream().allMatch(r -> r.accessKeyId().equals(ANALYST)));

      Exception failed = assertThrows(Exception.class,
          () -> analyst.option("onUndecryptable", "fail").load(enc).select("id", "card_number").collectAsList());
      KmsAccessDeniedException denied = assertInstanceOf(KmsAccessDeniedException.class,
          io.columnseal.jobs.encrypt.BadInputTest.ours(failed), String.valueOf(failed));
      assertTrue(denied.getMessage().contains("this caller may not decrypt column(s) card_number of dataset regions"
          + " (master key " + panArn + ", key alias/pan)"), denied.getMessage());
      assertFalse(denied.getMessage().contains("4111"), denied.getMessage());
      // Without card_number the same caller reads under the default (fail).
      assertEquals(6, analyst.load(enc).select("names").collectAsList().size());

      Dataset<Row> raw = analyst.option("onUndecryptable", "raw").load(enc);
      assertEquals("struct<id:int,region:string,names:string,card_number:binary>", raw.schema().simpleString());
      Row one = raw.where("id = 1").select("names", "card_number").first();
      assertEquals("Ada Lovelace", one.getString(0));
      Row stored = spark.read().parquet(enc).where("id = 1").select("card_number").first();
      assertArrayEquals((byte[]) stored.get(0), (byte[]) one.get(1), "the stored cell, as is");

      // The job's principal, allowed both keys, reads both.
      Dataset<Row> all = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString()).load(enc);
      assertEquals(JobTestKit.sorted(input(spark).select("id", "names", "card_number")),
          JobTestKit.sorted(all.select("id", "names", "card_number")));
    }
  }

  @Test
  void aFilterOnAPartitionColumnUnwrapsOnlyTheDeksOfTheFilesItReads() {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      kms.createAlias("alias/pan", kms.createKey("card numbers"));
      String enc = encrypt(spark, kms);
      ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration())
          .read().orElseThrow();
      Set<String> namesDeks = m.deks().values().stream().filter(d -> d.keyArn().equals(piiArn))
          .map(d -> d.id().toString()).collect(Collectors.toSet());
      assertEquals(3, namesDeks.size(), "one names DEK per partition, so per region");
      io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
      kms.log().clear();

      Dataset<Row> us = spark.read().format("columnseal").option("kms.provider", "aws")
          .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString()).load(enc)
          .where("region = 'us'").select("id", "names");
      assertEquals("[[3,Grace Hopper], [4,null]]", JobTestKit.sorted(us).toString());
      Set<String> unwrapped = kms.log().of("Decrypt").stream().map(r -> r.context().get(EncryptionContext.DEK))
          .collect(Collectors.toSet());
      byte[] usCell = (byte[]) spark.read().parquet(enc).where("region = 'us' AND names IS NOT NULL")
          .select("names").first().get(0);
      String usDek = io.columnseal.crypto.CellFormat.dekIdOf(usCell).toString();
      assertTrue(unwrapped.contains(usDek), "the us files' DEK " + usDek + " in " + unwrapped);
      // Besides it, at most the driver's access probe (one DEK per master key of the columns read).
      assertTrue(unwrapped.size() <= 2, "DEKs unwrapped: " + unwrapped);
      assertTrue(namesDeks.containsAll(unwrapped), "no card_number DEK: the query does not read that column");
      assertEquals(kms.log().of("Decrypt").size(), unwrapped.size(), "each DEK unwrapped once");
    }
  }

  /**
   * Issue 15, the selective query: a filter on a clear (partition) column keeping one region's
   * files costs exactly the KMS Decrypt calls of those files' DEKs, the driver's access probe
   * included (it probes with a DEK of the files read, which the tasks then take from the cache).
   */
  @Test
  void aSelectiveQueryCostsExactlyTheDeksOfTheFilesItReads() {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      kms.createAlias("alias/pii", kms.createKey("names"));
      kms.createAlias("alias/pan", kms.createKey("card numbers"));
      String enc = encrypt(spark, kms);
      ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration())
          .read().orElseThrow();
      assertEquals(6, m.deks().size(), "two DEKs per region");
      Map<String, String> expected = Map.of("us", "[[3,Grace Hopper,6011000000000004], [4,null,340000000000009]]",
          "eu", "[[1,Ada Lovelace,4111111111111111], [2,Alan Turing,5500000000000004]]",
          "ap", "[[5,Edsger Dijkstra,null], [6,Barbara Liskov,4000056655665556]]");
      // Each region in turn: a probe that ignored the files read would pick the same DEKs every
      // time, so it would add a call for at least two of the three.
      for (String region : List.of("us", "eu", "ap")) {
        List<String> regionDeks = m.liveFiles().stream().filter(f -> f.startsWith("region=" + region + "/"))
            .flatMap(f -> m.boundFile(f).orElseThrow().deks().stream()).map(Object::toString).distinct().sorted()
            .toList();
        assertEquals(2, regionDeks.size(), region + ": one names DEK and one card_number DEK");
        io.columnseal.jobs.decrypt.DataKeyCache.shared().clear();
        kms.log().clear();
        Dataset<Row> rows = spark.read().format("columnseal").option("kms.provider", "aws")
            .option("kms.region", KmsTestServer.REGION).option("kms.endpoint", kms.endpoint().toString()).load(enc)
            .where("region = '" + region + "'").select("id", "names", "card_number");
        assertEquals(expected.get(region), JobTestKit.sorted(rows).toString());
        List<String> calls = kms.log().of("Decrypt").stream().map(r -> r.context().get(EncryptionContext.DEK))
            .sorted().toList();
        assertEquals(regionDeks, calls, region + ": one Decrypt per DEK of the files read, no other");
      }
    }
  }

  @Test
  void aDatasetWithAnUnfinishedRunIsRefused() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    Path pending = Files.createDirectories(Path.of(enc, "_columnseal", "_pending"));
    Files.writeString(pending.resolve("run-unfinished.json"), "{\"runId\":\"run-unfinished\"}");
    DatasetException e = assertThrows(DatasetException.class, () -> ColumnsealSourceTest.reader(kit).load(enc));
    assertTrue(e.getMessage().contains("is incomplete: run(s) [run-unfinished] wrote data but did not commit"),
        e.getMessage());
  }
}
