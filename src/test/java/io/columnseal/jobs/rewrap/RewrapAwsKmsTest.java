package io.columnseal.jobs.rewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.InterceptedKeys;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.AwsKms;
import io.columnseal.kms.AwsKmsOptions;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyNotFoundException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * rewrap through the real SDK KmsClient against the KMS test server: the exact ReEncrypt
 * requests, rotation onto new key material, resume after a key was disabled midway, throttling,
 * least privilege, bad targets, dry run, and an append racing the rewrap.
 */
class RewrapAwsKmsTest {
  /** The principal surefire's aws.accessKeyId names for the SDK's default chain. */
  private static final String PRINCIPAL = "AKIDTESTJOBS";
  private static final int DEKS = 6;

  @TempDir
  static Path shared;
  private static KmsTestServer kms;
  private static JobTestKit kit;
  private static String keyA;
  private static String keyB;

  @TempDir
  Path tmp;
  private String enc;

  /** One server for the class; the sample is encrypted once under key A (alias/cards). */
  @BeforeAll
  static void encryptUnderKeyA() {
    kms = KmsTestServer.start();
    keyA = kms.createKey("cards 2026");
    kms.createAlias("alias/cards", keyA);
    keyB = kms.createKey("cards 2027");
    kms.createAlias("alias/cards-next", keyB);
    kit = new JobTestKit(shared);
    EncryptJob.run(JobTestKit.spark(), encrypt(shared.resolve("enc").toString()).build());
  }

  @AfterAll
  static void stop() {
    kms.close();
  }

  private static EncryptSettings.Builder encrypt(String output) {
    return kit.sampleCsv(output).keyService(kms.spec()).kmsKey("alias/cards").partitions(DEKS)
        .extraContext(Map.of("team", "payments"));
  }

  @BeforeEach
  void copyTheDataset() {
    enc = tmp.resolve("enc").toString();
    JobTestKit.copyTree(shared.resolve("enc"), tmp.resolve("enc"));
    kms.log().clear();
  }

  /** Tests change key states, faults and permissions of the shared server: undo that. */
  @AfterEach
  void resetTheServer() {
    kms.faults().clear();
    kms.permissions().clear();
    kms.enable(keyA);
    kms.enable(keyB);
    DataKeyCache.shared().clear();
  }

  private RewrapSettings.Builder settings(String toKey) {
    return RewrapSettings.builder(enc, toKey).concurrency(4).maxRate(10_000);
  }

  private static InterceptedKeys keys() {
    return new InterceptedKeys(RewrapJob.openKeyService(kms.spec(), 4));
  }

  private static RewrapReport run(RewrapSettings s, KeyService k) {
    return RewrapJob.run(new Configuration(), s, k);
  }

  private List<LoggedRequest> reEncrypts() {
    return kms.log().of("ReEncrypt");
  }

  /** The ReEncrypts that moved DEKs off key A (the default sample check's go from B to B). */
  private List<LoggedRequest> fromKeyA() {
    return reEncrypts().stream().filter(c -> keyA.equals(c.keyId())).toList();
  }

  @Test
  void everyDekIsReEncryptedWithItsOwnContextThenTheOldKeyCanBeDisabled() {
    ManifestState before = OutputModesTest.state(enc);
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/cards-next").build(), k);
    }
    assertEquals(RewrapReport.COMMITTED, r.status);
    List<LoggedRequest> calls = reEncrypts().stream().filter(c -> keyA.equals(c.keyId())).toList();
    assertEquals(DEKS, calls.size());
    for (LoggedRequest c : calls) {
      assertTrue(c.ok(), c.outcome());
      assertEquals(PRINCIPAL, c.accessKeyId());
      assertEquals(keyA, c.keyId(), "the source key is named, as the manifest has it");
      assertEquals(keyB, c.destinationKeyId(), "the ARN DescribeKey resolved, not the alias");
      DekRecord d = before.dek(io.columnseal.crypto.DekId.parse(c.context().get("columnseal:dek"))).orElseThrow();
      assertEquals(d.encryptionContext(), c.context());
      assertEquals(d.encryptionContext(), c.destinationContext(), "the context is kept");
      assertEquals("payments", c.context().get("team"));
    }
    List<LoggedRequest> describes = kms.log().of("DescribeKey");
    assertEquals(1, describes.size());
    assertEquals("alias/cards-next", describes.get(0).keyId());
    List<LoggedRequest> samples = reEncrypts().stream().filter(c -> keyB.equals(c.keyId())).toList();
    assertEquals(r.sampleCheck.deksChecked, samples.size());
    samples.forEach(s -> assertEquals(keyB, s.keyArn(), "the sample ReEncrypts the new blobs, under B"));
    assertEquals(0, kms.log().of("Decrypt").size());

    ManifestState after = OutputModesTest.state(enc);
    for (DekRecord d : after.deks().values()) {
      assertEquals(keyB, d.keyArn());
      assertEquals(keyB, kms.blobKeyArn(d.wrappedKey()));
    }

    kms.disable(keyA);
    kms.log().clear();
    VerifyReport v = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kms.spec(), false, 3, JobTestKit.SENSITIVE, null));
    assertTrue(v.ok(), v.toTerminal());
    assertEquals(Map.of(keyB, (long) DEKS), v.deksPerMasterKey);
    String out = tmp.resolve("dec").toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), kms.spec(), false));
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(JobTestKit.spark().read().parquet(out)));
    assertTrue(kms.log().of("Decrypt").stream().allMatch(d -> d.ok() && keyB.equals(d.keyArn())),
        "nothing needed key A any more");
  }

  @Test
  void rewrapOntoTheRotatedKeyMovesEveryBlobToTheNewestVersion() {
    OutputModesTest.state(enc).deks().values().forEach(d -> assertEquals(1, kms.blobKeyVersion(d.wrappedKey())));
    kms.rotate(keyA);
    int newest = kms.keyVersions(keyA);
    try (InterceptedKeys k = keys()) {
      run(settings("alias/cards").build(), k);
    }
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    for (DekRecord d : after.deks().values()) {
      assertEquals(keyA, d.keyArn());
      assertEquals(keyA, kms.blobKeyArn(d.wrappedKey()));
      assertEquals(newest, kms.blobKeyVersion(d.wrappedKey()), "DEK " + d.id());
    }
  }

  @Test
  void aSourceKeyDisabledMidwayStopsTheRunAndTheNextRunFinishesWithoutRepeatingWork() {
    try (InterceptedKeys k = keys()) {
      k.afterReEncrypt = n -> {
        if (n == 2) {
          kms.disable(keyA);
        }
      };
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/cards-next").concurrency(1).build(), k));
      assertTrue(e.getMessage().contains("4 of 6 DEK(s) failed")
          && e.getMessage().contains("KeyDisabledException: ReEncrypt on key " + keyA), e.getMessage());
    }
    assertEquals(2, kms.log().count("ReEncrypt", LoggedRequest.OK));
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");

    kms.enable(keyA);
    kms.log().clear();
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/cards-next").build(), k);
    }
    assertEquals(DEKS - 2, fromKeyA().size(), "the 2 checkpointed DEKs are not asked for again");
    assertEquals(2, r.reusedFromCheckpoint);
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    assertEquals(DEKS, after.lastCommit().rewrappedDeks().size());
    after.deks().values().forEach(d -> assertEquals(keyB, kms.blobKeyArn(d.wrappedKey())));
  }

  /** A client whose retries are quick, so spending them takes milliseconds. */
  private static KeyService quickRetries() {
    return new AwsKms(kms.spec(), AwsKmsOptions.builder().retryMode(RetryMode.STANDARD).maxAttempts(3)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build());
  }

  @Test
  void aFailingKmsIsNamedWhenTheRetriesAreSpent() {
    try (KeyService k = quickRetries()) {
      RewrapPlan plan = RewrapJob.plan(new Configuration(), settings("alias/cards-next").build(), k);
      kms.faults().internalErrors(1.0, 3);
      RewrapResult result = plan.execute();
      kms.faults().clear();
      RewrapFailedException e = assertThrows(RewrapFailedException.class, result::commit);
      assertTrue(e.getMessage().contains("6 x KeyUnavailableException: ReEncrypt on key " + keyA)
          && e.getMessage().contains("KMSInternalException"), e.getMessage());
    }
    assertEquals(3 * DEKS, kms.log().count("ReEncrypt", "KMSInternalException"), "3 attempts per DEK, as configured");
    assertEquals(1, OutputModesTest.state(enc).version());
  }

  @Test
  void throttlingIsRetriedByTheSdkAndNamedWhenTheRetriesAreSpent() {
    try (KeyService k = quickRetries()) {
      RewrapPlan plan = RewrapJob.plan(new Configuration(), settings("alias/cards-next").build(), k);
      kms.faults().throttleNext(4);
      plan.execute().commit();
    }
    assertEquals(4, kms.log().count("ReEncrypt", "ThrottlingException"));
    assertEquals(2 * DEKS, kms.log().count("ReEncrypt", LoggedRequest.OK), "each DEK, then its sample check");
    assertEquals(2, OutputModesTest.state(enc).version());

    JobTestKit.copyTree(shared.resolve("enc"), tmp.resolve("again"));
    try (KeyService k = quickRetries()) {
      RewrapPlan plan = RewrapJob.plan(new Configuration(),
          RewrapSettings.builder(tmp.resolve("again").toString(), "alias/cards-next").concurrency(2).build(), k);
      kms.faults().throttle(1.0, 1);
      RewrapResult result = plan.execute();
      kms.faults().clear();
      assertFalse(result.complete());
      RewrapFailedException e = assertThrows(RewrapFailedException.class, result::commit);
      assertTrue(e.getMessage().contains("6 x KmsThrottledException: ReEncrypt on key " + keyA), e.getMessage());
      assertTrue(e.getMessage().contains("still throttled after the SDK's retries"), e.getMessage());
    }
    assertEquals(1, OutputModesTest.state(tmp.resolve("again").toString()).version());
  }

  @Test
  void aMissingDisabledDoomedOrForbiddenTargetFailsAtDescribeKey() {
    try (InterceptedKeys k = keys()) {
      assertThrows(KeyNotFoundException.class, () -> run(settings("alias/nowhere").build(), k));
      kms.disable(keyB);
      assertThrows(KeyDisabledException.class, () -> run(settings("alias/cards-next").build(), k));
      String doomed = kms.createKey("doomed");
      kms.scheduleDeletion(doomed);
      KeyDisabledException pending = assertThrows(KeyDisabledException.class, () -> run(settings(doomed).build(), k));
      assertTrue(pending.getMessage().contains("PendingDeletion"), pending.getMessage());
      kms.permissions().restrict(PRINCIPAL, "kms:ReEncrypt*", "kms:Decrypt");
      KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
          () -> run(settings(keyA).build(), k));
      assertTrue(denied.getMessage().contains("DescribeKey"), denied.getMessage());
      assertEquals(0, k.reEncrypts.get());
    }
    assertEquals(0, reEncrypts().size());
    assertEquals(1, OutputModesTest.state(enc).version());
  }

  @Test
  void aReEncryptOnlyPrincipalRewrapsWithTheDefaultSampleCheckAndNoDecrypt() {
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:ReEncrypt*");
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/cards-next").build(), k);
      assertEquals(0, k.decrypts.get());
    }
    assertEquals(RewrapReport.COMMITTED, r.status);
    assertEquals("reencrypt", r.sampleCheck.method);
    assertEquals(DEKS, r.sampleCheck.deksChecked);
    assertEquals(List.of(), kms.log().of("Decrypt"), "no Decrypt request reached KMS");
    List<LoggedRequest> calls = reEncrypts();
    assertEquals(2 * DEKS, calls.size(), "one ReEncrypt per DEK, then one per sampled new wrapping");
    assertTrue(calls.stream().allMatch(LoggedRequest::ok));
    List<LoggedRequest> checks = calls.stream().filter(c -> keyB.equals(c.keyId())).toList();
    assertEquals(DEKS, checks.size());
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    for (LoggedRequest c : checks) {
      assertEquals(keyB, c.destinationKeyId(), "the sample goes from the target to the target");
      DekRecord d = after.dek(io.columnseal.crypto.DekId.parse(c.context().get("columnseal:dek"))).orElseThrow();
      assertEquals(d.encryptionContext(), c.context(), "with the DEK's own context");
      assertEquals(d.encryptionContext(), c.destinationContext());
    }
    assertEquals("passed", after.lastCommit().operation().get("sampleCheck"));
  }

  @Test
  void theDecryptSampleCheckNeedsKmsDecryptAndNoneSkipsIt() {
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:ReEncrypt*");
    try (InterceptedKeys k = keys()) {
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/cards-next").sampleCheck(SampleCheckMode.DECRYPT).build(), k));
      assertTrue(e.getMessage().contains("sample check failed") && e.getMessage().contains("kms:Decrypt")
          && e.getMessage().contains("AccessDenied"), e.getMessage());
    }
    assertEquals(1, OutputModesTest.state(enc).version());
    try (InterceptedKeys k = keys()) {
      RewrapReport r = run(settings("alias/cards-next").sampleCheck(SampleCheckMode.NONE).build(), k);
      assertEquals(DEKS, r.reusedFromCheckpoint, "the refused run's results were checkpointed");
      assertTrue(r.sampleCheck.skipped);
    }
    assertEquals(2, OutputModesTest.state(enc).version());

    JobTestKit.copyTree(shared.resolve("enc"), tmp.resolve("again"));
    kms.permissions().restrict(PRINCIPAL, "kms:DescribeKey", "kms:ReEncrypt*", "kms:Decrypt");
    kms.log().clear();
    try (InterceptedKeys k = keys()) {
      RewrapReport r = run(RewrapSettings.builder(tmp.resolve("again").toString(), "alias/cards-next")
          .sampleCheck(SampleCheckMode.DECRYPT).build(), k);
      assertTrue(r.sampleCheck.cellsDecrypted >= DEKS, "cells were opened with the new wrappings");
    }
    assertEquals(DEKS, kms.log().of("Decrypt").size());
    assertEquals(2, OutputModesTest.state(tmp.resolve("again").toString()).version());
  }

  @Test
  void aCorruptedNewWrappingFailsTheDefaultSampleCheckAndCommitsNothing() {
    kms.faults().corruptReEncryptBlobs(true);
    try (InterceptedKeys k = keys()) {
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/cards-next").build(), k));
      assertTrue(e.getMessage().contains("sample check failed: KMS does not accept the new wrapping of DEK ")
          && e.getMessage().contains("nothing committed"), e.getMessage());
      assertEquals(0, k.decrypts.get());
    }
    List<LoggedRequest> calls = reEncrypts();
    assertEquals(DEKS + 1, calls.size(), "the first sampled wrapping already fails");
    assertEquals("InvalidCiphertextException", calls.get(DEKS).outcome());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
  }

  @Test
  void aDryRunMakesNoReEncryptCall() {
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/cards-next").dryRun(true).build(), k);
    }
    assertEquals(0, reEncrypts().size());
    assertEquals(0, kms.log().of("Decrypt").size());
    assertEquals(Map.of(keyA, (long) DEKS), r.deksPerSourceKey);
    assertEquals(1, OutputModesTest.state(enc).version());
  }

  @Test
  void anAppendRacingTheRewrapEndsUnderTheNewKeyToo() {
    try (InterceptedKeys k = keys()) {
      RewrapResult result = RewrapJob.plan(new Configuration(), settings("alias/cards-next").build(), k).execute();
      EncryptJob.run(JobTestKit.spark(), encrypt(enc).mode(OutputMode.APPEND).allowRepeat(true).build());
      RewrapReport r = result.commit();
      assertEquals(DEKS, r.deksAddedMeanwhile);
    }
    assertEquals(2 * DEKS, fromKeyA().size());
    assertEquals(4 * DEKS, reEncrypts().size(), "both rounds' DEKs are sample-checked");
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(3, after.version());
    assertEquals(2 * DEKS, after.deks().size());
    after.deks().values().forEach(d -> assertEquals(keyB, kms.blobKeyArn(d.wrappedKey()), "DEK " + d.id()));
  }
}
