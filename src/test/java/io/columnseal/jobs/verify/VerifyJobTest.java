package io.columnseal.jobs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.LocalKeyring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify passes a clean dataset and reports each kind of damage, each in its own test. */
class VerifyJobTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("card_number", DataTypes.StringType).add("cardholder_name", DataTypes.StringType);
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");
  private static final String RUN = "20261122T010203Z-0badf00d";

  @TempDir
  Path tmp;

  @Test
  void aCleanDatasetVerifiesAndWritesItsReport() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(6, r.rowsFound);
    assertEquals(6, r.rowsExpected);
    assertEquals(2, r.deksInManifest);
    assertEquals(2, r.deksInData);
    assertEquals(2, r.deksUnwrapped);
    assertEquals(11, r.cellsChecked, "6 card numbers and 5 names (one is null)");
    assertTrue(r.samplesDecrypted > 0);

    Path reports = Path.of(enc, "_columnseal", "reports");
    List<Path> files = list(reports);
    assertEquals(1, files.size(), "one JSON report: " + files);
    JsonNode json = new ObjectMapper().readTree(files.get(0).toFile());
    assertEquals("cards", json.get("datasetId").asText());
    assertEquals(2, json.get("deksPerMasterKey").get(kit.keyArn).asLong());
    assertEquals(0, json.get("findings").size());
  }

  @Test
  void aCheckpointThatDiffersFromTheFullReplayIsReported() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    io.columnseal.manifest.ManifestStore store = io.columnseal.manifest.ManifestStore.at(
        io.columnseal.manifest.ManifestStore.defaultDir(new org.apache.hadoop.fs.Path(enc)),
        new org.apache.hadoop.conf.Configuration());
    assertEquals(java.util.Optional.of(1L), store.checkpoint());
    VerifyReport clean = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(clean.ok(), clean.toTerminal());

    io.columnseal.manifest.CheckpointFiles.addOneCell(Path.of(enc, "_columnseal", "checkpoints",
        "00000000000000000001.json"));
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "checkpoint-mismatch", "checkpoint 1 (" + store.checkpointPath(1)
        + ") differs from the replay of commits 1..1"), r.toTerminal());
  }

  @Test
  void aDeletedLiveFileIsReported() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    String gone = OutputModesTest.state(enc).liveFiles().first();
    Files.delete(Path.of(enc, gone));
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "missing-file", gone), r.toTerminal());
  }

  @Test
  void filesLeftUnderTemporaryAreReportedByFolder() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    VerifyReport clean = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(clean.ok(), clean.toTerminal());
    // A committed task's files that a dead driver's job commit never moved: readers skip _temporary.
    Path waiting = Path.of(enc, "_temporary", "1234", "task_202612040000_0001_m_000000");
    Files.createDirectories(waiting);
    Files.copy(Path.of(enc, OutputModesTest.state(enc).liveFiles().first()), waiting.resolve("part-00000-x.parquet"));
    Files.writeString(waiting.resolve(".part-00000-x.parquet.crc"), "x");
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertEquals(1, r.findings.size(), r.toTerminal());
    assertTrue(has(r, "temporary-files", "folder _temporary/1234 holds 1 file(s) that are in no manifest commit"),
        r.toTerminal());
  }

  @Test
  void aFileCopiedInFromAnotherDatasetIsReported() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    String other = encrypt(kit, "other-cards", "other");
    String stranger = OutputModesTest.state(other).liveFiles().first();
    String copied = "part-09999-copied-in.snappy.parquet";
    Files.copy(Path.of(other, stranger), Path.of(enc, copied));
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "unrecorded-file", copied), r.toTerminal());
  }

  @Test
  void aLiveFileSwappedForAnotherDatasetsFileHasUnknownDeks() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    String other = encrypt(kit, "other-cards", "other");
    String live = OutputModesTest.state(enc).liveFiles().first();
    replace(Path.of(enc, live), Files.readAllBytes(Path.of(other, OutputModesTest.state(other).liveFiles().first())));
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "unknown-dek", "which the manifest does not list"), r.toTerminal());
    assertTrue(has(r, "cell-count", "none are in the live files"), r.toTerminal());
  }

  @Test
  void aCorruptedFooterIsAFindingNotACrash() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    String file = OutputModesTest.state(enc).liveFiles().first();
    Path live = Path.of(enc, file);
    byte[] bytes = Files.readAllBytes(live);
    // The footer sits before the last 8 bytes (its length and the magic PAR1).
    for (int i = bytes.length - 200; i < bytes.length - 8; i++) {
      bytes[i] ^= 0x5a;
    }
    replace(live, bytes);
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "unreadable-file", file), r.toTerminal());
  }

  @Test
  void aCorruptedDataPageIsAFindingNotACrash() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    Path live = Path.of(enc, OutputModesTest.state(enc).liveFiles().first());
    byte[] bytes = Files.readAllBytes(live);
    // Just after the leading magic PAR1: the first page header and data.
    for (int i = 4; i < 40; i++) {
      bytes[i] ^= 0x5a;
    }
    replace(live, bytes);
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertFalse(r.ok(), r.toTerminal());
    assertTrue(r.findings.stream().anyMatch(f -> f.check.equals("unreadable-data")), r.toTerminal());
  }

  @Test
  void aLeftoverPendingRecordIsAnIncompleteRun() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    leavePendingRecord(enc);
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertTrue(has(r, "incomplete-run", RUN), r.toTerminal());
  }

  @Test
  void decryptRefusesADatasetWithAPendingRecord() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    leavePendingRecord(enc);
    String out = tmp.resolve("dec").toString();
    DatasetException e = assertThrows(DatasetException.class,
        () -> DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet")));
    assertTrue(e.getMessage().contains(RUN) && e.getMessage().contains("incomplete"), e.getMessage());
    assertFalse(Files.exists(Path.of(out)));
  }

  @Test
  void aDisabledMasterKeyLeavesDeksThatDoNotUnwrap() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      ring.disable("alias/test");
    }
    kit.reloadKeys();
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), deep(kit, enc));
    assertEquals(0, r.deksUnwrapped);
    assertEquals(2, r.findings.stream().filter(f -> f.check.equals("unwrap")).count(), r.toTerminal());
    assertTrue(has(r, "unwrap", kit.keyArn), r.toTerminal());
    assertEquals(0, r.samplesDecrypted);
  }

  @Test
  void shallowModeMakesNoKmsCall() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    // A keyring that does not exist: any KMS call would fail.
    Path nowhere = tmp.resolve("no-such.keyring.json");
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null,
        KeyServiceSpec.local(nowhere.toString()), true, 3, SENSITIVE, null));
    assertTrue(r.ok(), r.toTerminal());
    assertTrue(r.shallow);
    assertEquals(0, r.deksUnwrapped);
    assertEquals(0, r.samplesDecrypted);
    assertEquals(11, r.cellsChecked, "the data is still scanned");
    assertFalse(Files.exists(nowhere));
  }

  @Test
  void aSensitiveColumnLeftInPlaintextIsReported() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "cards", "enc");
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3,
        List.of("card_number", "cardholder_name", "id"), null));
    assertEquals(1, r.findings.size(), r.toTerminal());
    assertTrue(has(r, "sensitive-columns", "column id"), r.toTerminal());
  }

  @Test
  void aFolderWithNoManifestIsNotVerified() {
    JobTestKit kit = new JobTestKit(tmp);
    DatasetException e = assertThrows(DatasetException.class,
        () -> VerifyJob.run(JobTestKit.spark(), deep(kit, tmp.toString())));
    assertTrue(e.getMessage().contains("no columnseal manifest"), e.getMessage());
  }

  // ---- helpers

  /** Six rows in two partitions (two DEKs), card numbers and names encrypted; one null name. */
  private String encrypt(JobTestKit kit, String datasetId, String folder) {
    List<Row> rows = new ArrayList<>();
    String[] names = {"Omar Singh", "William Brown", null, "Ana Lima", "Li Wei", "Sam Okafor"};
    for (int i = 0; i < names.length; i++) {
      rows.add(RowFactory.create(i, "400000000000000" + i, names[i]));
    }
    Dataset<Row> input = JobTestKit.spark().createDataFrame(rows, SCHEMA);
    String out = tmp.resolve(folder).toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId(datasetId).inputPath("(memory)")
        .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(out).partitions(2).build(), input);
    return out;
  }

  private static VerifySettings deep(JobTestKit kit, String dataset) {
    return new VerifySettings(dataset, null, kit.keys, false, 3, SENSITIVE, null);
  }

  private static void leavePendingRecord(String dataset) throws IOException {
    Path pending = Path.of(dataset, "_columnseal", "_pending");
    Files.createDirectories(pending);
    Files.writeString(pending.resolve(RUN + ".json"), "{\"runId\":\"" + RUN + "\"}");
  }

  /** Rewrites a data file as S3 would: without the local filesystem's .crc beside it. */
  private static void replace(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  private static boolean has(VerifyReport r, String check, String text) {
    return r.findings.stream().anyMatch(f -> f.check.equals(check) && f.message.contains(text));
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).collect(Collectors.toList());
    }
  }
}
