package io.columnseal.jobs.rewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.InterceptedKeys;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.ManifestHistory;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyNotFoundException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rewrap on the local keyring: new key, rotated key, resume, races, bad input, dry run, sample check. */
class RewrapLocalKeyringTest {
  private static final int DEKS = 6;

  @TempDir
  static Path shared;
  private static JobTestKit template;
  private static String keyB;

  @TempDir
  Path tmp;
  private JobTestKit kit;
  private String keyA;
  private String enc;

  /** Encrypts the sample once under key A (alias/test); each test gets its own copy of it and of the keyring. */
  @BeforeAll
  static void encryptUnderKeyA() {
    template = new JobTestKit(shared);
    try (LocalKeyring ring = LocalKeyring.open(template.keyringFile)) {
      keyB = ring.createKey("alias/next", "rotation target").keyArn();
    }
    template.reloadKeys();
    EncryptJob.run(JobTestKit.spark(), template.sampleCsv(shared.resolve("enc").toString()).partitions(DEKS).build());
  }

  @BeforeEach
  void copyTheDataset() {
    kit = JobTestKit.copyOf(template, tmp);
    keyA = kit.keyArn;
    enc = tmp.resolve("enc").toString();
    JobTestKit.copyTree(shared.resolve("enc"), tmp.resolve("enc"));
    assertEquals(DEKS, OutputModesTest.state(enc).deks().size());
  }

  @AfterEach
  void dropKeys() {
    kit.reloadKeys();
  }

  private RewrapSettings.Builder settings(String toKey) {
    return RewrapSettings.builder(enc, toKey).concurrency(3).maxRate(10_000);
  }

  private InterceptedKeys keys() {
    return new InterceptedKeys(RewrapJob.openKeyService(kit.keys, 3));
  }

  private static RewrapReport run(RewrapSettings s, KeyService kms) {
    return RewrapJob.run(new Configuration(), s, kms);
  }

  private void disable(String key) {
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.disable(key);
    }
    kit.reloadKeys();
    DataKeyCache.shared().clear();
  }

  private Path checkpoints() {
    return tmp.resolve("enc/_columnseal/_rewrap");
  }

  @Test
  void rewrapToANewKeyThenDisableTheOldOneAndEverythingStillDecrypts() {
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").build(), k);
      assertEquals(DEKS, k.reEncryptsFrom(keyA));
      assertEquals(DEKS, k.reEncryptsFrom(keyB), "the default sample check ReEncrypts each new blob from B to B");
      assertEquals(0, k.decrypts.get(), "and needs no Decrypt");
    }
    assertEquals(RewrapReport.COMMITTED, r.status);
    assertEquals(Map.of(keyA, (long) DEKS), r.deksPerSourceKey);
    assertEquals(keyB, r.targetKeyArn);
    assertEquals(DEKS, r.reEncrypted);
    assertEquals(0, r.reusedFromCheckpoint);
    assertEquals("reencrypt", r.sampleCheck.method);
    assertEquals(DEKS, r.sampleCheck.deksChecked, "each of the 6 DEKs (8 allowed)");
    assertEquals(0, r.sampleCheck.cellsDecrypted);
    assertEquals(Long.valueOf(2), r.manifestVersion);

    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    assertEquals(CommitKind.REWRAP, after.lastCommit().kind());
    assertEquals(DEKS, after.lastCommit().rewrappedDeks().size());
    assertEquals(keyB, after.lastCommit().operation().get("toKeyArn"));
    for (DekRecord d : after.deks().values()) {
      assertEquals(keyB, d.keyArn());
    }
    assertFalse(Files.exists(checkpoints()), "checkpoints are deleted after the commit");
    assertTrue(Files.exists(Path.of(r.reportFile)), r.reportFile);

    disable(keyA);
    VerifyReport v = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kit.keys, false, 3, JobTestKit.SENSITIVE, null));
    assertTrue(v.ok(), v.toTerminal());
    assertEquals(Map.of(keyB, (long) DEKS), v.deksPerMasterKey);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));

    ManifestHistory.Entry rewrap = ManifestHistory.of(after).commits.get(1);
    assertEquals("REWRAP", rewrap.kind);
    assertEquals(Map.of(keyA + " -> " + keyB, (long) DEKS), rewrap.deksRewrappedPerKey);
    assertEquals(List.of(keyA, keyB).stream().sorted().toList(), rewrap.keyArns);
    assertEquals(null, rewrap.rows);
  }

  @Test
  void rewrapOntoTheSameRotatedKeyMovesEveryDekToTheNewestVersion() {
    ManifestState before = OutputModesTest.state(enc);
    before.deks().values().forEach(d -> assertEquals(1, keyVersion(d.wrappedKey())));
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      assertEquals(2, ring.rotate(keyA).currentVersion());
    }
    try (InterceptedKeys k = keys()) {
      run(settings("alias/test").build(), k);
    }
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    for (DekRecord d : after.deks().values()) {
      assertEquals(keyA, d.keyArn());
      assertEquals(2, keyVersion(d.wrappedKey()), "DEK " + d.id() + " is on the newest material");
      assertNotEquals(ByteBuffer.wrap(before.deks().get(d.id()).wrappedKey()), ByteBuffer.wrap(d.wrappedKey()));
    }
  }

  /** docs/format-parts/local-keyring.md 6.2: the master key version is a u32 at bytes 21..24. */
  private static long keyVersion(byte[] blob) {
    return ByteBuffer.wrap(blob, 21, 4).getInt() & 0xFFFFFFFFL;
  }

  @Test
  void aRunStoppedMidwayLeavesTheManifestAndTheNextRunReusesItsWork() throws Exception {
    try (InterceptedKeys k = keys()) {
      k.outageAfter = 4;
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/next").checkpointBatch(2).build(), k));
      assertTrue(e.getMessage().contains("2 of 6 DEK(s) failed"), e.getMessage());
      assertTrue(e.getMessage().contains("KeyUnavailableException: ReEncrypt on key " + keyA), e.getMessage());
      assertEquals(RewrapReport.FAILED, e.report().status);
      assertEquals(4, e.report().reEncrypted);
      assertTrue(Files.exists(Path.of(e.report().reportFile)), "a failed run writes its report too");
    }
    ManifestState unchanged = OutputModesTest.state(enc);
    assertEquals(1, unchanged.version());
    unchanged.deks().values().forEach(d -> assertEquals(keyA, d.keyArn()));
    assertEquals(2, batchFiles().size(), "4 results in batches of 2");

    RewrapReport second;
    try (InterceptedKeys k = keys()) {
      second = run(settings("alias/next").build(), k);
      assertEquals(DEKS - 4, k.reEncryptsFrom(keyA), "only the DEKs the first run did not finish");
    }
    assertEquals(4, second.reusedFromCheckpoint);
    assertEquals(2, second.checkpointFilesRead);
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    assertEquals(DEKS, after.lastCommit().rewrappedDeks().size());
    after.deks().values().forEach(d -> assertEquals(keyB, d.keyArn()));
    disable(keyA);
    VerifyReport v = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kit.keys, false, 1, JobTestKit.SENSITIVE, null));
    assertTrue(v.ok(), v.toTerminal());
  }

  @Test
  void aDamagedOrCutShortCheckpointIsSkippedNotUsed() throws Exception {
    try (InterceptedKeys k = keys()) {
      k.outageAfter = 4;
      assertThrows(RewrapFailedException.class, () -> run(settings("alias/next").checkpointBatch(2).build(), k));
    }
    List<Path> files = batchFiles();
    // One file with a changed blob character (still valid JSON), one cut short as by a crash.
    String text = Files.readString(files.get(0));
    int at = text.indexOf("\"wrappedKey\":\"") + 20;
    Files.writeString(files.get(0), text.substring(0, at) + (text.charAt(at) == 'A' ? 'B' : 'A') + text.substring(at + 1));
    byte[] bytes = Files.readAllBytes(files.get(1));
    Files.write(files.get(1), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    // Without Hadoop's .crc side files, so the checkpoint's own checks are what find the damage.
    for (Path f : files) {
      Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
    }

    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").build(), k);
      assertEquals(DEKS, k.reEncryptsFrom(keyA), "nothing reusable is left");
    }
    assertEquals(2, r.checkpointFilesSkipped);
    assertEquals(0, r.reusedFromCheckpoint);
    OutputModesTest.state(enc).deks().values().forEach(d -> assertEquals(keyB, d.keyArn()));
  }

  @Test
  void checkpointsOfAnOlderStateAreNotReused() throws Exception {
    try (InterceptedKeys k = keys()) {
      k.outageAfter = 3;
      assertThrows(RewrapFailedException.class, () -> run(settings("alias/next").build(), k));
    }
    // Meanwhile another rewrap moves every DEK to a third key and back: same ARNs, new blobs.
    String keyC;
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      keyC = ring.createKey("alias/third", "detour").keyArn();
    }
    try (InterceptedKeys k = keys()) {
      run(settings(keyC).skipSampleCheck(true).build(), k);
    }
    try (InterceptedKeys k = keys()) {
      run(settings(keyA).skipSampleCheck(true).build(), k);
    }
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").build(), k);
      assertEquals(DEKS, k.reEncryptsFrom(keyA));
    }
    assertEquals(0, r.reusedFromCheckpoint, "the source blobs changed, so the old results do not apply");
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(4, after.version());
    after.deks().values().forEach(d -> assertEquals(keyB, d.keyArn()));
  }

  @Test
  void anAppendRacingTheRewrapIsCaughtUpAndEveryDekEndsUnderTheNewKey() {
    RewrapResult result;
    try (InterceptedKeys k = keys()) {
      RewrapPlan plan = RewrapJob.plan(new Configuration(), settings("alias/next").build(), k);
      assertEquals(DEKS, plan.toReEncrypt());
      result = plan.execute();
      assertTrue(result.complete());

      // An encrypt run appends (under key A) before the rewrap commits.
      EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(DEKS).mode(OutputMode.APPEND).allowRepeat(true).build());
      assertEquals(2, OutputModesTest.state(enc).version());

      RewrapReport r = result.commit();
      assertEquals(2 * DEKS, k.reEncryptsFrom(keyA), "the appended DEKs, and only those, were ReEncrypted on catch-up");
      assertEquals(2, r.commitAttempts);
      assertEquals(DEKS, r.deksAddedMeanwhile);
      assertEquals(2 * DEKS, r.deks);
      assertEquals(Long.valueOf(3), r.manifestVersion);
    }
    ManifestState after = OutputModesTest.state(enc);
    assertEquals(3, after.version());
    assertEquals(CommitKind.REWRAP, after.lastCommit().kind());
    assertEquals(2 * DEKS, after.deks().size());
    after.deks().values().forEach(d -> assertEquals(keyB, d.keyArn(), "DEK " + d.id()));
    assertThrows(IllegalStateException.class, result::commit);

    disable(keyA);
    VerifyReport v = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kit.keys, false, 1, JobTestKit.SENSITIVE, null));
    assertTrue(v.ok(), v.toTerminal());
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput().union(JobTestKit.sampleInput())),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
  }

  @Test
  void aDryRunMakesNoReEncryptCallAndChangesNothing() throws Exception {
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").dryRun(true).build(), k);
      assertEquals(0, k.reEncrypts.get());
      assertEquals(0, k.decrypts.get());
      assertEquals(1, k.describes.get(), "the target is checked");
    }
    assertEquals(RewrapReport.DRY_RUN, r.status);
    assertEquals(Map.of(keyA, (long) DEKS), r.deksPerSourceKey);
    assertEquals(keyB, r.targetKeyArn);
    String text = r.toTerminal();
    assertTrue(text.contains("dry run, nothing changed") && text.contains("would ReEncrypt 6 DEK(s)"), text);
    assertEquals(1, OutputModesTest.state(enc).version());
    assertFalse(Files.exists(checkpoints()));
    assertFalse(Files.exists(tmp.resolve("enc/_columnseal/reports")));
  }

  @Test
  void aMissingOrDisabledTargetFailsAtDescribeKeyBeforeAnyReEncrypt() {
    try (InterceptedKeys k = keys()) {
      KeyNotFoundException missing = assertThrows(KeyNotFoundException.class,
          () -> run(settings("alias/nowhere").build(), k));
      assertTrue(missing.getMessage().contains("alias/nowhere"), missing.getMessage());
      assertEquals(0, k.reEncrypts.get());
    }
    disable(keyB);
    try (InterceptedKeys k = keys()) {
      KeyDisabledException disabled = assertThrows(KeyDisabledException.class,
          () -> run(settings("alias/next").build(), k));
      assertTrue(disabled.getMessage().contains(keyB) && disabled.getMessage().contains("Disabled"),
          disabled.getMessage());
      assertEquals(0, k.reEncrypts.get());
    }
    assertEquals(1, OutputModesTest.state(enc).version());
  }

  @Test
  void aDisabledSourceKeyFailsEveryDekAndCommitsNothing() {
    disable(keyA);
    try (InterceptedKeys k = keys()) {
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/next").build(), k));
      assertTrue(e.getMessage().contains("6 of 6 DEK(s) failed")
          && e.getMessage().contains("6 x KeyDisabledException: ReEncrypt on key " + keyA), e.getMessage());
      assertEquals(DEKS, e.report().failures.size());
      assertTrue(e.report().toTerminal().contains("FAILED, nothing committed"), e.report().toTerminal());
    }
    assertEquals(1, OutputModesTest.state(enc).version());
  }

  /** Only opening cells tells a wrapping of another DEK (same context) from the right one. */
  @Test
  void theDecryptSampleCheckRefusesNewWrappingsOfOtherKeys() {
    try (InterceptedKeys k = keys()) {
      k.swapDeks = true;
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/next").sampleCheck(SampleCheckMode.DECRYPT).build(), k));
      assertTrue(e.getMessage().contains("sample check failed") && e.getMessage().contains("does not decrypt"),
          e.getMessage());
    }
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
  }

  @Test
  void aCorruptedNewWrappingFailsTheDefaultSampleCheckAndCommitsNothing() {
    try (InterceptedKeys k = keys()) {
      k.corruptBlobs = true;
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/next").build(), k));
      assertTrue(e.getMessage().contains("sample check failed: KMS does not accept the new wrapping of DEK ")
          && e.getMessage().contains("does not authenticate") && e.getMessage().contains("nothing committed"),
          e.getMessage());
      assertEquals(1, k.reEncryptsFrom(keyB), "the first sampled wrapping already fails");
      assertEquals(0, k.decrypts.get());
    }
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
  }

  @Test
  void theDefaultSampleCheckReadsNoDataFileButTheDecryptCheckDoes() throws Exception {
    List<Path> data;
    try (Stream<Path> files = Files.walk(tmp.resolve("enc"))) {
      data = files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("_columnseal")).toList();
    }
    assertFalse(data.isEmpty());
    for (Path f : data) {
      Files.delete(f);
    }
    try (InterceptedKeys k = keys()) {
      RewrapFailedException e = assertThrows(RewrapFailedException.class,
          () -> run(settings("alias/next").sampleCheck(SampleCheckMode.DECRYPT).build(), k));
      assertTrue(e.getMessage().contains("sample check failed: cannot read data file"), e.getMessage());
    }
    assertEquals(1, OutputModesTest.state(enc).version());
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").build(), k);
      assertEquals(0, k.decrypts.get());
    }
    assertEquals(RewrapReport.COMMITTED, r.status);
    assertEquals(DEKS, r.sampleCheck.deksChecked);
    assertEquals(2, OutputModesTest.state(enc).version());
  }

  @Test
  void skippingTheSampleCheckCommitsWithoutDecryptingAndSaysSo() {
    RewrapReport r;
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").skipSampleCheck(true).build(), k);
      assertEquals(0, k.decrypts.get());
      assertEquals(DEKS, k.reEncrypts.get(), "no sample ReEncrypt either");
    }
    assertTrue(r.sampleCheck.skipped);
    assertTrue(r.toTerminal().contains("sample check: SKIPPED"), r.toTerminal());
    assertEquals("skipped", OutputModesTest.state(enc).lastCommit().operation().get("sampleCheck"));
  }

  @Test
  void theRateLimitHoldsAndProgressLinesComeOnStderr() {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    RewrapReport r;
    long started = System.nanoTime();
    try (InterceptedKeys k = keys()) {
      r = run(settings("alias/next").maxRate(10).concurrency(4)
          .progress(new PrintStream(lines, true, StandardCharsets.UTF_8), Duration.ofMillis(100)).build(), k);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // 10 per second with a burst of 1: the 6th ReEncrypt starts 0.5 s after the first, whatever the concurrency.
    assertTrue(seconds >= 0.5, seconds + " s");
    assertTrue(r.reEncryptsPerSecond <= 12.5, r.reEncryptsPerSecond + "/s");
    String text = lines.toString(StandardCharsets.UTF_8);
    assertTrue(text.lines().findAny().isPresent() && text.lines().allMatch(l -> l.matches("rewrap: \\d / 6 DEKs, \\d+/s")),
        text);
  }

  @Test
  void aFolderWithoutManifestIsRefused() {
    try (InterceptedKeys k = keys()) {
      DatasetException e = assertThrows(DatasetException.class, () -> run(
          RewrapSettings.builder(tmp.resolve("nothing").toString(), "alias/next").build(), k));
      assertTrue(e.getMessage().contains("no columnseal manifest"), e.getMessage());
      assertEquals(0, k.describes.get(), "no KMS call before the manifest is read");
    }
  }

  private List<Path> batchFiles() throws Exception {
    try (Stream<Path> s = Files.walk(checkpoints())) {
      return s.filter(p -> p.getFileName().toString().startsWith("batch-")).sorted().toList();
    }
  }
}
