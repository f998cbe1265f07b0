package io.columnseal.it;

import static io.columnseal.it.SparkSubmitIT.args;
import static io.columnseal.it.SparkSubmitIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.testing.SharedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar cannot clash with what EMR puts on Spark's classpath (issue 13): it carries
 * no class outside {@code io/columnseal}, and it runs encrypt, verify, decrypt and rewrap
 * through spark-submit with an older AWS SDK v2 (2.36.2; emr-7.10.0 ships 2.31.48), older
 * Jackson data formats, SnakeYAML and picocli ahead of it on the classpath, against the KMS
 * test server and S3Mock.
 */
class ShadedJarIT {
  private static final String MASTER = "local[2]";
  private static final int PARTITIONS = 4;

  @Test
  void theJarCarriesNoClassOrServiceOutsideIoColumnseal() throws Exception {
    List<String> unrelocated = new ArrayList<>();
    try (ZipFile jar = new ZipFile(ItPaths.shadedJar().toFile())) {
      for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        boolean foreignClass = name.endsWith(".class") && !name.startsWith("io/columnseal/");
        boolean foreignService = name.startsWith("META-INF/services/") && !name.endsWith("/")
            && !name.startsWith("META-INF/services/io.columnseal.") && !onlyOurProviders(jar, name);
        if (foreignClass || foreignService) {
          unrelocated.add(name);
        }
      }
    }
    assertEquals(List.of(), unrelocated.subList(0, Math.min(20, unrelocated.size())),
        unrelocated.size() + " entries would load from, or register with, EMR's copies");
  }

  /**
   * A service file of Spark's own interface is allowed when every provider it names is ours: the
   * {@code columnseal} data source registers itself with Spark's DataSourceRegister this way.
   */
  private static boolean onlyOurProviders(ZipFile jar, String name) throws java.io.IOException {
    if (!name.equals("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister")) {
      return false;
    }
    try (var in = jar.getInputStream(jar.getEntry(name))) {
      List<String> providers = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
          .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      return !providers.isEmpty() && providers.stream().allMatch(p -> p.startsWith("io.columnseal."));
    }
  }

  @Test
  void aRoundTripWithAnOlderSdkAndJacksonOnSparksClasspath() throws Exception {
    Path work = ItPaths.freshWorkDir("shaded-jar");
    SparkHome spark = SparkHome.create(work.resolve("spark-home"), ItPaths.target());
    Path emrJars = Paths.get(System.getProperty("columnseal.emrClasspath", ItPaths.target().resolve("emr-classpath").toString()));
    assertTrue(spark.addJars(emrJars) >= 30, "no older SDK in " + emrJars + ": mvn verify copies it (pom: emr-classpath)");
    assertTrue(Files.exists(spark.home.resolve("jars/kms-2.36.2.jar")));

    try (KmsTestServer kms = KmsTestServer.start()) {
      String keyA = kms.createKey("cards 2026");
      kms.createAlias("alias/cards", keyA);
      String keyB = kms.createKey("cards 2027");
      kms.createAlias("alias/cards-next", keyB);
      String bucket = SharedS3.newBucket("shaded");
      String dataset = "s3a://" + bucket + "/cards_enc";
      Submission submit = new Submission(spark, ItPaths.shadedJar(), work).withEnv(awsEnv());
      Path csv = ItPaths.basedir().resolve("data-samples/financial.csv");
      List<String> spec = List.of("--config", resource("it/emr-aws.yaml").toString(),
          "--set", "input.path=" + csv, "--set", "output.path=" + dataset,
          "--set", "kms.endpoint=" + kms.endpoint(), "--set", "kms.region=" + KmsTestServer.REGION);
      List<String> s3 = s3aConf();

      Submission.Result enc = ok(submit.run("encrypt", MASTER, s3, args(List.of("encrypt"), spec)));
      assertTrue(enc.stdout().contains("encrypt cards: 1000 rows written to " + dataset), enc.describe());
      assertEquals(PARTITIONS, kms.log().count("GenerateDataKey", LoggedRequest.OK));

      Submission.Result verify = ok(submit.run("verify", MASTER, s3, args(List.of("verify", "--dataset", dataset), spec)));
      assertTrue(verify.stdout().contains("(manifest version 1): OK"), verify.describe());
      assertTrue(verify.stdout().contains("rows: 1000 found / 1000 expected"), verify.describe());

      Path decrypted = work.resolve("cards_dec");
      ok(submit.run("decrypt", MASTER, s3,
          args(List.of("decrypt", "--dataset", dataset, "--output", decrypted.toString()), spec)));
      Submission.Result compare = ok(submit.run("compare", MASTER, List.of(),
          args(List.of("compare", "--decrypted", decrypted.toString()), spec)));
      assertTrue(compare.stdout().startsWith("IDENTICAL: 1000 rows x 12 columns"), compare.describe());

      // rewrap's default sample check ReEncrypts sampled new wrappings from B to B before it commits.
      Submission.Result rewrap = ok(submit.run("rewrap", MASTER, s3,
          args(List.of("rewrap", "--dataset", dataset, "--to-key", "alias/cards-next"), spec)));
      assertTrue(rewrap.stdout().contains("rewrap cards: 4 DEK(s) now under " + keyB + " (manifest version 2"),
          rewrap.describe());
      List<LoggedRequest> reEncrypts = kms.log().of("ReEncrypt");
      assertEquals(PARTITIONS, reEncrypts.stream().filter(r -> r.ok() && keyA.equals(r.keyId())).count(),
          "one ReEncrypt off key A per DEK");
      assertTrue(reEncrypts.stream().filter(r -> !keyA.equals(r.keyId())).allMatch(r -> r.ok() && keyB.equals(r.keyArn())),
          "the sample check's ReEncrypts stay under B");
      assertEquals(0, kms.log().of("Decrypt").stream().filter(r -> keyB.equals(r.keyArn())).count(),
          "no Decrypt under the new key: rewrap needs ReEncrypt alone");
      Configuration conf = new Configuration();
      SharedS3.configure(conf);
      ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(dataset, "_columnseal"), conf).read().orElseThrow();
      assertEquals(PARTITIONS, m.deks().size());
      for (DekRecord d : m.deks().values()) {
        assertEquals(keyB, d.keyArn(), "DEK " + d.id());
        assertEquals(keyB, kms.blobKeyArn(d.wrappedKey()), "DEK " + d.id());
      }
      for (Submission.Result r : List.of(enc, verify)) {
        String log = Files.readString(r.stderr());
        assertFalse(log.contains("NoSuchMethodError") || log.contains("NoClassDefFoundError"), r.describe());
      }
    }
  }

  /** The SDK's default chain finds these; the KMS test server reads the access key id only. */
  static Map<String, String> awsEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", "AKIDTESTJOBS", "AWS_SECRET_ACCESS_KEY", KmsTestServer.TEST_SECRET,
        "AWS_EC2_METADATA_DISABLED", "true");
  }

  /** SharedS3's s3a settings as {@code spark.hadoop.*} submit options. */
  static List<String> s3aConf() {
    Configuration conf = new Configuration(false);
    SharedS3.configure(conf);
    List<String> out = new ArrayList<>();
    conf.forEach(e -> out.add("spark.hadoop." + e.getKey() + "=" + e.getValue()));
    return out;
  }

  static Path resource(String name) throws Exception {
    return Paths.get(ShadedJarIT.class.getClassLoader().getResource(name).toURI());
  }
}
