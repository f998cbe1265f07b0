package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.decrypt.OnCellError;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.recovery.RecoverJob;
import io.columnseal.jobs.rewrap.RewrapJob;
import io.columnseal.jobs.rewrap.RewrapSettings;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.manifest.RewrappedDek;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kms.allowedKeys (issue 12 item 2): a DEK the manifest points at a master key that is not
 * trusted is refused on the driver before any KMS call, by decrypt, verify, rewrap and recover.
 */
public class TrustedKeysJobTest {
  /** A key in an account the dataset never used: what a manifest writer would point DEKs at. */
  private static final String FOREIGN = "arn:aws:kms:us-east-1:999988887777:key/0f0e0d0c-0b0a-4909-8807-060504030201";

  @TempDir
  public Path tmp;
  private KmsTestServer kms;
  private JobTestKit kit;
  private String keyArn;
  private String enc;

  @BeforeEach
  public void start() {
    kms = KmsTestServer.start();
    keyArn = kms.createKey("cards master key");
    kit = new JobTestKit(tmp);
    enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), settings().partitions(2).build());
  }

  @AfterEach
  public void stop() {
    kms.close();
  }

  private EncryptSettings.Builder settings() {
    return kit.sampleCsv(enc).keyService(kms.spec()).kmsKey(keyArn);
  }

  /** Someone with write access to the manifest points one DEK at a key of their own (a valid, chained commit). */
  private void pointOneDekAtAForeignKey() {
    ManifestStore store = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration());
    ManifestState state = store.read().orElseThrow();
    DekRecord first = state.deks().values().iterator().next();
    store.commit(CommitDraft.builder(CommitKind.REWRAP, state.datasetId(), "20261204T000000Z-0000")
        .operation("toKeyArn", FOREIGN)
        .rewrap(RewrappedDek.of(first.id(), first.keyArn(), FOREIGN, new byte[] {1, 2, 3, 4}))
        .build(), state.version());
    kms.log().clear();
  }

  private static String expectedLine(String job) {
    return job + " of dataset cards-test: 1 DEK is wrapped under master key " + FOREIGN + ", which the default (the account"
        + " and Region of the dataset's first master keys; set kms.allowedKeys to trust others) does not allow;"
        + " refused before any KMS call with a wrapped key";
  }

  @Test
  public void decryptRefusesADekUnderAForeignKeyBeforeAnyKmsCallOrOutput() {
    pointOneDekAtAForeignKey();
    String out = tmp.resolve("dec").toString();
    UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> DecryptJob.run(JobTestKit.spark(),
        new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false)));
    assertEquals(expectedLine("decrypt"), e.getMessage());
    assertEquals(List.of(), kms.log().entries());
    assertFalse(Files.exists(Path.of(out)), "no output folder");
  }

  @Test
  public void verifyRefusesADekUnderAForeignKeyBeforeAnyKmsCall() {
    pointOneDekAtAForeignKey();
    UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kms.spec(), false, 2, List.of(), null)));
    assertEquals(expectedLine("verify"), e.getMessage());
    assertEquals(List.of(), kms.log().entries());
  }

  @Test
  public void shallowVerifyReportsTheUntrustedKeyAsAFinding() {
    pointOneDekAtAForeignKey();
    var report = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, null, true, 0, List.of(), null));
    assertFalse(report.ok());
    assertTrue(report.toTerminal().contains("1 DEK is wrapped under master key " + FOREIGN), report.toTerminal());
    assertEquals(List.of(), kms.log().entries());
  }

  @Test
  public void rewrapRefusesADekUnderAForeignKeyBeforeAnyKmsCall() {
    pointOneDekAtAForeignKey();
    try (KeyService service = RewrapJob.openKeyService(kms.spec(), 2)) {
      UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> RewrapJob.run(new Configuration(),
          RewrapSettings.builder(enc, keyArn).build(), service));
      assertEquals(expectedLine("rewrap"), e.getMessage());
    }
    assertEquals(List.of(), kms.log().entries());
  }

  @Test
  public void recoverRefusesADatasetWithADekUnderAForeignKey() {
    pointOneDekAtAForeignKey();
    long version = OutputModesTest.state(enc).version();
    UntrustedKeyException e = assertThrows(UntrustedKeyException.class,
        () -> RecoverJob.run(JobTestKit.spark(), enc, null, false));
    assertEquals(expectedLine("recover"), e.getMessage());
    assertEquals(List.of(), kms.log().entries());
    assertEquals(version, OutputModesTest.state(enc).version());
  }

  @Test
  public void anExplicitListRefusesAKeyOfTheSameAccountItDoesNotName() {
    String second = kms.createKey("second master key");
    EncryptJob.run(JobTestKit.spark(), settings().kmsKey(second).mode(OutputMode.APPEND).allowRepeat(true)
        .partitions(3).build());
    kms.log().clear();
    String out = tmp.resolve("dec").toString();
    UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> DecryptJob.run(JobTestKit.spark(),
        new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false, OnCellError.FAIL, List.of(keyArn))));
    assertEquals("decrypt of dataset cards-test: 3 DEKs are wrapped under master key " + second + ", which kms.allowedKeys"
        + " does not allow; refused before any KMS call with a wrapped key", e.getMessage());
    assertEquals(List.of(), kms.log().entries());

    // The account/Region pattern allows both; an alias ARN entry is resolved with one DescribeKey.
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false,
        OnCellError.FAIL, List.of("arn:aws:kms:us-east-1:111122223333:key/*")));
    assertEquals(0, kms.log().of("DescribeKey").size());
    kms.createAlias("alias/second", second);
    String out2 = tmp.resolve("dec2").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out2, "parquet", List.of(), kms.spec(), false,
        OnCellError.FAIL, List.of(keyArn, "arn:aws:kms:us-east-1:111122223333:alias/second")));
    assertEquals(1, kms.log().of("DescribeKey").size());
    assertEquals(2 * JobTestKit.sampleInput().count(), JobTestKit.spark().read().parquet(out2).count());
  }

  @Test
  public void rewrapRefusesATargetKeyOutsideTheListBeforeAnyReEncrypt() {
    String other = kms.createKey("not trusted");
    kms.log().clear();
    try (KeyService service = RewrapJob.openKeyService(kms.spec(), 2)) {
      UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> RewrapJob.run(new Configuration(),
          RewrapSettings.builder(enc, other).allowedKeys(List.of(keyArn)).build(), service));
      assertTrue(e.getMessage().contains("the target key " + other + " is not allowed by kms.allowedKeys"), e.getMessage());
    }
    assertEquals(0, kms.log().of("ReEncrypt").size());
    assertEquals(1, kms.log().entries().size(), "the target's DescribeKey only");
  }

  @Test
  public void aMalformedEntryIsAConfigErrorThatDoesNotEchoIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> new DecryptSettings(enc, null, "out", "parquet",
        List.of(), kms.spec(), false, OnCellError.FAIL, List.of(keyArn, "s3cr3t-pasted-here")));
    assertEquals("Cannot set kms.allowedKeys: entry 2 (18 characters) is not a key ARN, an alias ARN or an"
        + " arn:aws:kms:REGION:ACCOUNT:key/* pattern", e.getMessage());
    assertThrows(ConfigException.class, () -> RewrapSettings.builder(enc, keyArn).allowedKeys(List.of()).build());
    assertThrows(ConfigException.class, () -> new VerifySettings(enc, null, kms.spec(), false, 1, List.of(), null,
        List.of("arn:aws:kms:us-east-1:111122223333:key/*/x")));
  }
}
