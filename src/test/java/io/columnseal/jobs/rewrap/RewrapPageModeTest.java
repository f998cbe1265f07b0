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

  /** Issue 16 follow-up: --sample-check decrypt unwraps each sampled new blob and decrypts pages of a bound file with it. */
  @Test
  void theDecryptSampleCheckDecryptsPagesOfABoundFileWithEachNewWrapping() {
    JobTestKit kit = new JobTestKit(tmp);
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.createKey("alias/next", "rotation target");
    }
    kit.reloadKeys();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encryptMode(EncryptMode.PAGE).build());
    int deks = OutputModesTest.state(enc).deks().size();

    RewrapReport r = RewrapJob.run(new Configuration(), RewrapSettings.builder(enc, "alias/next")
        .sampleCheck(SampleCheckMode.DECRYPT).build(), RewrapJob.openKeyService(kit.keys, 3));
    assertEquals(RewrapReport.COMMITTED, r.status);
    assertEquals("decrypt", r.sampleCheck.method);
    assertEquals(deks, r.sampleCheck.deksChecked);
    assertEquals(0, r.sampleCheck.deksUnwrappedWithoutCell, "every DEK signs and encrypts a live file");
    // Each DEK encrypts the four sensitive columns of its file: at least one page each.
    assertTrue(r.sampleCheck.pagesDecrypted >= 4L * deks, "pages: " + r.sampleCheck.pagesDecrypted);
    assertEquals(0, r.sampleCheck.cellsDecrypted);
    assertTrue(r.toTerminal().contains("page(s) decrypted with the new wrapping"), r.toTerminal());
    assertEquals("passed", OutputModesTest.state(enc).lastCommit().operation().get("sampleCheck"));
  }

  /** A page that does not authenticate under the new wrapping fails the check: nothing is committed. */
  @Test
  void aPageThatDoesNotDecryptFailsTheDecryptSampleCheckAndNothingIsCommitted() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.createKey("alias/next", "rotation target");
    }
    kit.reloadKeys();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encryptMode(EncryptMode.PAGE).partitions(1).build());
    String live = OutputModesTest.state(enc).liveFiles().first();
    Path file = Path.of(enc, live);
    org.apache.parquet.format.ColumnMetaData chunk = null;
    for (org.apache.parquet.format.ColumnChunk c : io.columnseal.jobs.encrypt.PageFiles.footer(file).getRow_groups()
        .get(0).getColumns()) {
      if (c.isSetCrypto_metadata() && c.getMeta_data().getPath_in_schema().equals(java.util.List.of("cvv"))) {
        chunk = c.getMeta_data();
      }
    }
    long start = chunk.isSetDictionary_page_offset() ? chunk.getDictionary_page_offset() : chunk.getData_page_offset();
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) (start + chunk.getTotal_compressed_size() / 2)] ^= 0x01;
    Files.write(file, bytes);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc")); // Hadoop's local checksum

    RewrapFailedException e = org.junit.jupiter.api.Assertions.assertThrows(RewrapFailedException.class,
        () -> RewrapJob.run(new Configuration(), RewrapSettings.builder(enc, "alias/next")
            .sampleCheck(SampleCheckMode.DECRYPT).build(), RewrapJob.openKeyService(kit.keys, 3)));
    assertTrue(e.getMessage().contains(": sample check failed: " + live + " of dataset cards-test does not decrypt "
        + "with the new wrapping of DEK "), e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
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
