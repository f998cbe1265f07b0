package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyNotFoundException;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.KmsException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs through the real SDK KmsClient against the in-process KMS test server: the exact
 * KMS calls and contexts, least-privilege principals, throttling, and bad keys caught before
 * any data is written.
 */
public class AwsKmsJobTest {
  /** The principal surefire's aws.accessKeyId names for the SDK's default chain. */
  private static final String PRINCIPAL = "AKIDTESTJOBS";

  @TempDir
  public Path tmp;
  private KmsTestServer kms;
  private JobTestKit kit;
  private String keyArn;

  @BeforeEach
  public void start() {
    kms = KmsTestServer.start();
    keyArn = kms.createKey("cards master key");
    kms.createAlias("alias/cards", keyArn);
    kit = new JobTestKit(tmp);
  }

  @AfterEach
  public void stop() {
    kms.close();
  }

  private EncryptSettings.Builder settings(String output) {
    return kit.sampleCsv(output).keyService(kms.spec()).kmsKey("alias/cards")
        .extraContext(Map.of("team", "payments"));
  }

  @Test
  public void oneGenerateDataKeyPerNonEmptyPartitionWithTheDatasetsContext() {
    String enc = tmp.resolve("enc").toString();
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:GenerateDataKey");
    RunSummary run = EncryptJob.run(JobTestKit.spark(), settings(enc).partitions(3).build());

    ManifestState m = OutputModesTest.state(enc);
    List<LoggedRequest> dryRuns = kms.log().of("GenerateDataKey").stream()
        .filter(r -> r.outcome().equals("DryRunOperationException")).toList();
    assertEquals(1, dryRuns.size(), "the plan's one permission check (DryRun), with the tasks' context shape");
    assertEquals(Set.of("columnseal:dataset", "columnseal:dek", "team"), dryRuns.get(0).context().keySet());
    List<LoggedRequest> generated = kms.log().of("GenerateDataKey").stream().filter(r -> !dryRuns.contains(r)).toList();
    assertEquals(3, generated.size(), "one call per partition, no more");
    assertEquals(3, m.deks().size());
    assertEquals(1, kms.log().of("DescribeKey").size());
    Set<String> dekIds = new TreeSet<>();
    for (LoggedRequest r : generated) {
      assertTrue(r.ok());
      assertEquals(PRINCIPAL, r.accessKeyId());
      assertEquals(keyArn, r.keyId(), "executors ask for the ARN DescribeKey resolved on the driver");
      assertEquals(Set.of("columnseal:dataset", "columnseal:dek", "team"), r.context().keySet());
      assertEquals("cards-test", r.context().get("columnseal:dataset"));
      assertEquals("payments", r.context().get("team"));
      dekIds.add(r.context().get("columnseal:dek"));
    }
    assertEquals(m.deks().keySet().stream().map(Object::toString).collect(Collectors.toCollection(TreeSet::new)), dekIds);
    for (DekRecord d : m.deks().values()) {
      assertEquals(keyArn, d.keyArn());
      assertEquals(d.id().hex(), d.encryptionContext().get("columnseal:dek"));
    }
    assertEquals(3, run.kmsCalls.get("GenerateDataKey"));
  }

  /** Issue 14: a key the principal may not GenerateDataKey under is a config error before any data is written. */
  @Test
  public void aPrincipalThatMayNotGenerateDataKeysIsRefusedBeforeAnyDataIsWritten() {
    String enc = tmp.resolve("enc").toString();
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey");
    io.columnseal.ConfigException e = assertThrows(io.columnseal.ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), settings(enc).build()));
    assertEquals("Cannot encrypt columns card_number, cardholder_name, cvv, street_address: this principal may not call kms:GenerateDataKey"
        + " under alias/cards (" + keyArn + ") with the dataset's encryption context; checked before any data was"
        + " written", e.getMessage());
    assertFalse(Files.exists(Path.of(enc)), "nothing written");
    assertEquals(List.of("AccessDeniedException"),
        kms.log().of("GenerateDataKey").stream().map(LoggedRequest::outcome).toList());
  }

  @Test
  public void anEncryptPrincipalCannotDecryptAndADecryptPrincipalCannotGenerate() {
    String enc = tmp.resolve("enc").toString();
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:GenerateDataKey");
    EncryptJob.run(JobTestKit.spark(), settings(enc).build());
    kms.permissions().restrict(PRINCIPAL, "kms:Decrypt");

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false));
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(JobTestKit.spark().read().parquet(out)));
    assertTrue(kms.log().of("GenerateDataKey").stream()
        .allMatch(r -> r.ok() || r.outcome().equals("DryRunOperationException")));

    // The decrypt principal may not generate keys: encrypt fails at DescribeKey, before any data.
    String again = tmp.resolve("enc2").toString();
    KmsException e = assertThrows(KmsAccessDeniedException.class,
        () -> EncryptJob.run(JobTestKit.spark(), settings(again).build()));
    assertTrue(e.getMessage().contains("DescribeKey"), e.getMessage());
    assertFalse(Files.exists(Path.of(again)));
  }

  @Test
  public void thirtyPercentThrottledStillDecryptsExactly() {
    String enc = tmp.resolve("enc").toString();
    kms.faults().throttle(0.3, 7);
    EncryptJob.run(JobTestKit.spark(), settings(enc).partitions(4).build());
    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false));
    assertTrue(kms.log().count("GenerateDataKey", "ThrottlingException") + kms.log().count("Decrypt", "ThrottlingException")
        + kms.log().count("DescribeKey", "ThrottlingException") > 0, "the server did throttle");
    assertEquals(4, kms.log().count("GenerateDataKey", LoggedRequest.OK));
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(JobTestKit.spark().read().parquet(out)));
  }

  @Test
  public void anOutputThatCannotBeWrittenFailsBeforeAnyKmsCall() throws Exception {
    // A path below a regular file: no file system lets a job create folders there.
    Path blocker = Files.writeString(tmp.resolve("blocker"), "not a folder");
    String output = blocker.resolve("enc").toString();
    DatasetException e = assertThrows(DatasetException.class,
        () -> EncryptJob.run(JobTestKit.spark(), settings(output).build()));
    assertTrue(e.getMessage().contains("cannot write to output.path " + output), e.getMessage());
    assertTrue(kms.log().entries().isEmpty(), "no KMS call at all, not even DescribeKey");
  }

  @Test
  public void badKeysFailBeforeAnyDataIsWritten() {
    String missing = tmp.resolve("missing").toString();
    assertThrows(KeyNotFoundException.class,
        () -> EncryptJob.run(JobTestKit.spark(), settings(missing).kmsKey("alias/nowhere").build()));
    assertFalse(Files.exists(Path.of(missing)));

    kms.disable(keyArn);
    String disabled = tmp.resolve("disabled").toString();
    assertThrows(KeyDisabledException.class, () -> EncryptJob.run(JobTestKit.spark(), settings(disabled).build()));
    assertFalse(Files.exists(Path.of(disabled)));
    kms.enable(keyArn);

    String pending = kms.createKey("doomed");
    kms.scheduleDeletion(pending);
    String doomed = tmp.resolve("doomed").toString();
    assertThrows(KeyDisabledException.class,
        () -> EncryptJob.run(JobTestKit.spark(), settings(doomed).kmsKey(pending).build()));
    assertFalse(Files.exists(Path.of(doomed)));
    assertEquals(0, kms.log().of("GenerateDataKey").size(), "no data key was asked for");
  }
  @Test
  public void aDecryptPrincipalWithoutKmsDecryptFailsOnTheDriverNamingTheKeyBeforeAnyOutput() {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), settings(enc).partitions(3).build());
    kms.log().clear();
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:GenerateDataKey");

    String out = tmp.resolve("dec").toString();
    KmsAccessDeniedException e = assertThrows(KmsAccessDeniedException.class,
        () -> DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false)));
    assertTrue(e.getMessage().contains("decrypt needs kms:Decrypt on master key " + keyArn), e.getMessage());
    assertTrue(e.getMessage().endsWith("; no output was written"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    // One probe on the driver, not one refused Decrypt per partition's DEK in the tasks.
    assertEquals(1, kms.log().of("Decrypt").size());
    assertFalse(Files.exists(Path.of(out)), "no output folder");
  }

  @Test
  public void everyMasterKeyOfTheLiveDataIsProbedAndTheDisabledOneNamed() {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), settings(enc).partitions(2).build());
    String second = kms.createKey("second master key");
    EncryptJob.run(JobTestKit.spark(), settings(enc).kmsKey(second).mode(OutputMode.APPEND).allowRepeat(true).partitions(2).build());
    kms.disable(second);
    kms.log().clear();

    String out = tmp.resolve("dec").toString();
    KeyDisabledException e = assertThrows(KeyDisabledException.class,
        () -> DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false)));
    assertTrue(e.getMessage().contains("decrypt needs kms:Decrypt on master key " + second), e.getMessage());
    assertFalse(e.getMessage().contains(keyArn), "the first key is fine: " + e.getMessage());
    assertEquals(Set.of(keyArn, second), kms.log().of("Decrypt").stream().map(LoggedRequest::keyArn).collect(Collectors.toSet()),
        "one probe per master key");
    assertEquals(2, kms.log().of("Decrypt").size());
    assertFalse(Files.exists(Path.of(out)));

    kms.enable(second);
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false));
    assertEquals(2 * JobTestKit.sampleInput().count(), JobTestKit.spark().read().parquet(out).count());
  }

  @Test
  public void aKmsOutageAfterTheProbeRemovesTheOutputTheRunCreated() {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), settings(enc).partitions(2).build());
    // The driver's probe is answered; the tasks' own Decrypt calls find KMS gone.
    kms.faults().outageAfter("Decrypt", 1);
    String out = tmp.resolve("dec").toString();
    KmsException e = assertThrows(KmsException.class,
        () -> DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false)));
    assertTrue(e.getMessage().endsWith("; removed output " + out + ", which this run created"), e.getMessage());
    assertFalse(Files.exists(Path.of(out)), "the output folder is gone");
  }

  @Test
  public void anOutputInsideTheDatasetIsRefusedBeforeAnyKmsCall() {
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), settings(enc).build());
    kms.log().clear();
    for (String out : List.of(enc, enc + "/", enc + "/plain", tmp.toString())) {
      io.columnseal.ConfigException e = assertThrows(io.columnseal.ConfigException.class,
          () -> DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), true)));
      assertTrue(e.getMessage().startsWith("--output " + out + " "), e.getMessage());
    }
    assertTrue(kms.log().entries().isEmpty(), "no KMS call");
    assertFalse(Files.exists(Path.of(enc, "plain")));
  }
}
