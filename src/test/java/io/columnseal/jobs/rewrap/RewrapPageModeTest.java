package io.columnseal.jobs.rewrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rewrap of a page-mode dataset (FORMAT.md section 12): only the manifest changes, every reader follows it. */
class RewrapPageModeTest {
  @TempDir
  Path tmp;

  @Test
  void rewrapChangesOnlyTheManifestAndTheDecryptJobReadsEverythingUnderTheNewKey() {
    JobTestKit kit = new JobTestKit(tmp);
    String keyA = kit.keyArn;
    String keyB;
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      keyB = ring.createKey("alias/next", "rotation target").keyArn();
    }
    kit.reloadKeys();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encryptMode(EncryptMode.PAGE).build());
    ManifestState before = OutputModesTest.state(enc);
    assertEquals("page", before.cellEncoding().orElseThrow());
    int deks = before.deks().size();
    assertTrue(deks >= 3, "one DEK per task: " + deks);
    Map<String, byte[]> data = dataFiles(Path.of(enc));

    RewrapReport r = RewrapJob.run(new Configuration(), RewrapSettings.builder(enc, "alias/next").concurrency(3)
        .maxRate(10_000).build(), RewrapJob.openKeyService(kit.keys, 3));
    assertEquals(RewrapReport.COMMITTED, r.status);
    assertEquals(Map.of(keyA, (long) deks), r.deksPerSourceKey);
    assertEquals(deks, r.reEncrypted);

    ManifestState after = OutputModesTest.state(enc);
    assertEquals(2, after.version());
    assertEquals(CommitKind.REWRAP, after.lastCommit().kind());
    assertEquals("page", after.cellEncoding().orElseThrow());
    for (DekRecord d : after.deks().values()) {
      assertEquals(keyB, d.keyArn());
    }
    assertEquals(before.liveFiles(), after.liveFiles());
    Map<String, byte[]> dataAfter = dataFiles(Path.of(enc));
    assertEquals(data.keySet(), dataAfter.keySet(), "no data file added or removed");
    data.forEach((f, bytes) -> assertArrayEquals(bytes, dataAfter.get(f), f + " is byte-identical"));

    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.disable(keyA);
    }
    kit.reloadKeys();
    DataKeyCache.shared().clear();
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
    VerifyReport v = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kit.keys, false, 3, JobTestKit.SENSITIVE, null));
    assertTrue(v.ok(), v.toTerminal());
    assertEquals(Map.of(keyB, (long) deks), v.deksPerMasterKey);
    assertTrue(v.samplesDecrypted > 0, v.toTerminal());
  }

  /** Every file outside {@code _columnseal/}, with its bytes. */
  private static Map<String, byte[]> dataFiles(Path dataset) {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dataset)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = dataset.relativize(p).toString();
        if (!rel.startsWith("_columnseal")) {
          out.put(rel, Files.readAllBytes(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
