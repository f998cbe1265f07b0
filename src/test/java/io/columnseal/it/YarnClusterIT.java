package io.columnseal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.samples.CardDataGenerator;
import io.columnseal.samples.CardTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The EMR steps' own command lines ({@code jobs/emr/steps/*.json}, Args as written, only the
 * s3:// paths swapped for local and HDFS ones) under {@code spark-submit --master yarn
 * --deploy-mode cluster}, on a MiniYARNCluster with HDFS: the driver runs in the
 * ApplicationMaster's container and reads the job spec that {@code --files} shipped. One
 * cluster for all steps; the AWS KMS backend talks to the KMS test server on 127.0.0.1.
 *
 * <p>spark-defaults.conf stands in for what EMR configures on the cluster: Spark's jars from
 * the node's disk ({@code spark.yarn.jars=local:...}), container sizes, and the credentials that
 * an instance profile would give.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterIT {
  private static final int ROWS = 1000;
  private static final long SEED = 13;
  private static final String AKID = "AKIDTESTEMRSTEP";
  private static final String DAY = "2026-11-22";

  private static Path work;
  private static YarnCluster cluster;
  private static KmsTestServer kms;
  private static Submission submit;
  private static Path spec;
  private static long started;

  @BeforeAll
  static void startCluster() throws Exception {
    started = System.nanoTime();
    work = ItPaths.freshWorkDir("yarn");
    cluster = YarnCluster.start(work.resolve("cluster"));
    kms = KmsTestServer.start();
    kms.createAlias("alias/cards", kms.createKey("cards 2026"));

    SparkHome spark = SparkHome.create(work.resolve("spark-home"), ItPaths.target());
    Path sparkConf = Files.createDirectories(work.resolve("spark-conf"));
    Files.writeString(sparkConf.resolve("spark-defaults.conf"), String.join("\n",
        "spark.yarn.jars local:" + spark.home.resolve("jars") + "/*",
        "spark.driver.memory 512m",
        "spark.executor.memory 512m",
        "spark.executor.instances 1",
        "spark.executor.cores 2",
        "spark.ui.enabled false",
        "spark.yarn.appMasterEnv.JAVA_HOME " + System.getProperty("java.home"),
        "spark.executorEnv.JAVA_HOME " + System.getProperty("java.home"),
        env("AWS_ACCESS_KEY_ID", AKID),
        env("AWS_SECRET_ACCESS_KEY", KmsTestServer.TEST_SECRET),
        env("AWS_EC2_METADATA_DISABLED", "true"),
        env("SPARK_LOCAL_IP", "127.0.0.1"),
        ""));
    submit = new Submission(spark, ItPaths.shadedJar(), work).withEnv(Map.of(
        "HADOOP_CONF_DIR", cluster.confDir.toString(),
        "YARN_CONF_DIR", cluster.confDir.toString(),
        "SPARK_CONF_DIR", sparkConf.toString()));

    // The job spec of the steps, with this cluster's dataset and KMS.
    spec = work.resolve("nightly-cards.yaml");
    Files.writeString(spec, Files.readString(ShadedJarIT.resource("it/emr-aws.yaml"))
        .replace("  key: alias/cards\n", "  key: alias/cards\n  region: " + KmsTestServer.REGION
            + "\n  endpoint: " + kms.endpoint() + "\n")
        .replace("  mode: append\n", "  mode: append\n  path: " + cluster.hdfs("/lake/cards_enc/") + "\n"));
    Path csv = work.resolve("cards.csv");
    CardDataGenerator.writeCsv(SEED, ROWS, csv);
    cluster.fileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(csv.toString()),
        new org.apache.hadoop.fs.Path("/landing/cards/" + DAY + "/cards.csv"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (kms != null) {
      kms.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    System.out.printf("YarnClusterIT: %.0f s with the cluster's start%n", (System.nanoTime() - started) / 1e9);
  }

  @Test
  @Order(1)
  void encryptVerifyDecryptStepsRoundTripExactlyInClusterMode() throws Exception {
    Submission.Result enc = step("encrypt", stepArgs("encrypt"));
    assertEquals(0, enc.exitCode(), enc.describe());
    assertTrue(Files.readString(enc.stderr()).contains("final status: SUCCEEDED"), enc.describe());
    String driverOut = cluster.lastDriverStdout();
    assertTrue(driverOut.contains("encrypt cards: " + ROWS + " rows written to " + cluster.hdfs("/lake/cards_enc/")), driverOut);
    ManifestState m = manifest();
    assertEquals(1, m.version());
    assertEquals(ROWS, m.lastCommit().stats().get("rows"));
    assertEquals(m.deks().size(), kms.log().count("GenerateDataKey", LoggedRequest.OK));
    assertEquals(4, m.deks().size(), "one DEK per output partition");

    Submission.Result verify = step("verify", stepArgs("verify"));
    assertEquals(0, verify.exitCode(), verify.describe());
    String verifyOut = cluster.lastDriverStdout();
    assertTrue(verifyOut.contains("(manifest version 1): OK"), verifyOut);
    FileStatus[] reports = cluster.fileSystem().globStatus(new org.apache.hadoop.fs.Path("/lake/cards_enc/_columnseal/reports/verify-*.json"));
    assertEquals(1, reports.length, "verify writes its report next to the manifest");

    Submission.Result dec = step("decrypt", stepArgs("decrypt"));
    assertEquals(0, dec.exitCode(), dec.describe());
    // The step decrypts card_number and cardholder_name: exactly the generated values, row for
    // row (with the row's clear text columns), and the other sealed columns stay sealed.
    List<String> expected = new ArrayList<>();
    for (CardTransaction t : CardDataGenerator.rows(SEED, ROWS)) {
      expected.add(t.cardNumber() + "|" + t.cardholderName() + "|" + t.city() + "|" + t.zip() + "|" + t.company());
    }
    List<String> actual = new ArrayList<>();
    int rows = 0;
    for (FileStatus f : cluster.fileSystem().globStatus(new org.apache.hadoop.fs.Path("/plain/cards/*.parquet"))) {
      try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), f.getPath()).withConf(cluster.hadoopConf()).build()) {
        for (Group g = r.read(); g != null; g = r.read()) {
          rows++;
          assertFalse(new String(g.getBinary("cvv", 0).getBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).matches("\\d{3,4}"),
              "cvv was not in the step's --columns and must stay sealed");
          actual.add(text(g, "card_number") + "|" + text(g, "cardholder_name") + "|" + text(g, "city") + "|"
              + text(g, "zip") + "|" + text(g, "company"));
        }
      }
    }
    assertEquals(ROWS, rows);
    expected.sort(null);
    actual.sort(null);
    assertEquals(expected, actual);
  }

  @Test
  @Order(2)
  void aSpecMissingFromFilesFailsTheStepWithTheCauseInItsStderr() throws Exception {
    List<String> args = stepArgs("encrypt");
    int files = args.indexOf("--files");
    args.remove(files + 1);
    args.remove(files);
    long before = manifest().version();
    Submission.Result r = step("encrypt-no-files", args);
    assertNotEquals(0, r.exitCode(), r.describe());
    String stderr = Files.readString(r.stderr());
    assertTrue(stderr.contains("final status: FAILED"), r.describe());
    assertTrue(stderr.contains("columnseal encrypt: Cannot read --config nightly-cards.yaml") && stderr.contains("(exit code 2)"),
        r.describe());
    assertEquals(before, manifest().version(), "nothing committed");
  }

  @Test
  @Order(3)
  void aRoleWithoutGenerateDataKeyFailsTheStepBeforeAnyDataIsWritten() throws Exception {
    kms.permissions().restrict(AKID, "kms:DescribeKey");
    try {
      long before = manifest().version();
      long files = cluster.fileSystem().globStatus(new org.apache.hadoop.fs.Path("/lake/cards_enc/*.parquet")).length;
      // The nightly step's own input, perhaps already committed by the round trip: the repeat
      // guard (which needs no KMS) must not answer before KMS does.
      List<String> args = new ArrayList<>(stepArgs("encrypt"));
      args.addAll(List.of("--set", "output.allowRepeat=true"));
      Submission.Result r = step("encrypt-denied", args);
      assertNotEquals(0, r.exitCode(), r.describe());
      String stderr = Files.readString(r.stderr());
      assertTrue(stderr.contains("final status: FAILED"), r.describe());
      // Refused by the plan's GenerateDataKey DryRun, before any data is written: a config error.
      assertTrue(stderr.lines().anyMatch(l -> l.contains("columnseal encrypt: Cannot encrypt columns")
          && l.contains("may not call kms:GenerateDataKey") && l.contains("(exit code 2)")), r.describe());
      assertEquals(before, manifest().version(), "nothing committed");
      assertEquals(files, cluster.fileSystem().globStatus(new org.apache.hadoop.fs.Path("/lake/cards_enc/*.parquet")).length,
          "no data file added");
    } finally {
      kms.permissions().clear();
    }
  }

  private static Submission.Result step(String name, List<String> args) throws Exception {
    long t0 = System.nanoTime();
    Submission.Result r = submit.submit(name, args);
    System.out.printf("YarnClusterIT: step %s exited %d in %.0f s%n", name, r.exitCode(), (System.nanoTime() - t0) / 1e9);
    return r;
  }

  /**
   * The step file's Args after "spark-submit", as written, with each s3:// location swapped for
   * this test's: the spec and jar on local disk, the data in HDFS.
   */
  static List<String> stepArgs(String stepFile) throws Exception {
    JsonNode step = new ObjectMapper().readTree(ItPaths.basedir().resolve("jobs/emr/steps/" + stepFile + ".json").toFile()).get(0);
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("s3://<ARTIFACTS_BUCKET>/columnseal/conf/nightly-cards.yaml", spec.toString());
    paths.put("s3://<ARTIFACTS_BUCKET>/columnseal/columnseal-0.1.0-SNAPSHOT-shaded.jar", ItPaths.shadedJar().toString());
    paths.put("s3://<INPUT_BUCKET>/<INPUT_PREFIX>/", cluster.hdfs("/landing/cards/"));
    paths.put("s3://<DATASET_BUCKET>/<DATASET_PREFIX>/", cluster.hdfs("/lake/cards_enc/"));
    paths.put("s3://<PLAINTEXT_BUCKET>/<PLAINTEXT_PREFIX>/", cluster.hdfs("/plain/cards/"));
    List<String> args = new ArrayList<>();
    step.get("Args").forEach(a -> {
      String v = a.asText();
      for (Map.Entry<String, String> p : paths.entrySet()) {
        v = v.replace(p.getKey(), p.getValue());
      }
      assertFalse(v.contains("s3://") || v.contains("<"), "unmapped step argument " + v);
      args.add(v);
    });
    assertEquals("spark-submit", args.remove(0));
    assertEquals(List.of("--master", "yarn", "--deploy-mode", "cluster"), args.subList(0, 4));
    return args;
  }

  private static ManifestState manifest() {
    return ManifestStore.at(new org.apache.hadoop.fs.Path(cluster.hdfs("/lake/cards_enc/_columnseal")), cluster.hadoopConf())
        .read().orElseThrow();
  }

  /** A string column's value, or "null" as String.valueOf writes a missing one. */
  private static String text(Group g, String column) {
    return g.getFieldRepetitionCount(column) == 0 ? "null" : g.getString(column, 0);
  }

  private static String env(String name, String value) {
    return "spark.yarn.appMasterEnv." + name + " " + value + "\nspark.executorEnv." + name + " " + value;
  }

}
