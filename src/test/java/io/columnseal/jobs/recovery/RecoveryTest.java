package io.columnseal.jobs.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.ConfigException;
import io.columnseal.jobs.FaultyFs;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.encrypt.RunScopedCommitter;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that stopped between its data commit and its manifest commit is settled by the next
 * encrypt run (or {@code recover}), all or nothing: all of its files join the dataset with their
 * DEKs and exact row counts (those still in its work folder moved into place first), or, when
 * one of them is nowhere, all of them are removed. The stop is made in-process by a file system
 * that refuses the manifest commit ({@link FaultyFs}); DriverKillTest does it with a real killed
 * process at every step of the commit.
 */
public class RecoveryTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("card_number", DataTypes.StringType).add("cardholder_name", DataTypes.StringType);
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");

  @TempDir
  Path tmp;

  @BeforeAll
  static void registerFaultyFs() {
    FaultyFs.register(JobTestKit.spark().sparkContext().hadoopConfiguration());
  }

  @Test
  void anAppendThatStoppedAfterItsDataCommitIsFinishedByTheNextAppend() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));

    assertEquals(1, OutputModesTest.state(enc).version());
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), verify(kit, enc));
    assertTrue(has(r, "incomplete-run", dead), r.toTerminal());
    assertTrue(has(r, "unrecorded-file", "in no manifest commit"), r.toTerminal());
    DatasetException refused = assertThrows(DatasetException.class,
        () -> EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet"));
    assertTrue(refused.getMessage().contains(dead) && refused.getMessage().contains("columnseal recover"),
        refused.getMessage());

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    assertEquals(1, next.recovered.size());
    RecoveredRun rec = next.recovered.get(0);
    assertEquals(RecoveredRun.RECOVERED, rec.outcome, rec.describe());
    assertEquals(dead, rec.runId);
    assertEquals(6, rec.rows);
    assertEquals(2, rec.files);
    assertEquals(2, rec.deks);
    assertEquals(2L, rec.manifestVersion);
    assertTrue(next.toTerminal().contains("recovered run " + dead), next.toTerminal());

    ManifestState m = OutputModesTest.state(enc);
    assertEquals(3, m.version(), "the recovered run's commit, then the new run's");
    Commit recovered = m.history().get(1);
    assertEquals(dead, recovered.runId());
    assertEquals(CommitKind.ENCRYPT, recovered.kind());
    assertEquals("recovered", recovered.operation().get("mode"));
    assertEquals("append", recovered.operation().get("recoveredMode"));
    assertEquals("run " + next.runId, recovered.operation().get("recoveredBy"));
    assertEquals(6L, recovered.stats().get("rows"));
    assertEquals(11L, recovered.stats().get("cells.card_number") + recovered.stats().get("cells.cardholder_name"));
    assertTrue(recovered.addedDeks().stream().allMatch(d -> d.runId().equals(dead)));
    assertNoPendingRecord(enc);
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6), batch(200, 6));
  }

  @Test
  void runRecoveryChecksTheKeysOfEachRecordItCommitsNotOnlyThoseListedBefore() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String trusted = OutputModesTest.state(enc).deks().values().iterator().next().keyArn();
    org.apache.hadoop.fs.Path manifestDir = DatasetFiles.manifestDir(enc, null);
    Configuration conf = JobTestKit.spark().sparkContext().hadoopConfiguration();
    // The up-front check passes: no record yet.
    RecoverJob.checkKeys(conf, manifestDir, java.util.Optional.of(OutputModesTest.state(enc)), null, null, "recover");
    // Then a record naming a foreign key appears before recovery lists the folder.
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));
    String foreign = "arn:aws:kms:local:999988887777:key/0f0e0d0c-0b0a-4909-8807-060504030201";
    Path record = dir.resolve("_columnseal/_pending/" + dead + ".json");
    Files.writeString(record, Files.readString(record).replace(trusted, foreign));

    RunRecovery recovery = new RunRecovery(conf, enc, manifestDir, io.columnseal.manifest.ManifestStore.at(manifestDir,
        conf), java.time.Clock.systemUTC(), "recover command", false, null,
        RecoverJob.keyCheck(manifestDir, null, null, "recover"));
    UntrustedKeyException e = assertThrows(UntrustedKeyException.class, recovery::recoverAll);
    assertTrue(e.getMessage().startsWith("recover of dataset cards: 2 DEKs are wrapped under master key " + foreign),
        e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
    assertEquals(List.of(dead + ".json"), pendingRecords(enc), "the record is kept");
    assertEquals(2, unrecorded(enc).size(), "no file moved or removed");
  }

  @Test
  void recoverRefusesAPendingRecordWhoseDeksNameAKeyOutsideTheTrustedOnes() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String trusted = OutputModesTest.state(enc).deks().values().iterator().next().keyArn();
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));
    // Whoever can write the pending record points its DEKs at a key of another account.
    String foreign = "arn:aws:kms:local:999988887777:key/0f0e0d0c-0b0a-4909-8807-060504030201";
    Path record = dir.resolve("_columnseal/_pending/" + dead + ".json");
    String json = Files.readString(record);
    assertTrue(json.contains(trusted));
    Files.writeString(record, json.replace(trusted, foreign));

    UntrustedKeyException e = assertThrows(UntrustedKeyException.class,
        () -> RecoverJob.run(JobTestKit.spark(), enc, null, false));
    assertEquals("recover of dataset cards: 2 DEKs are wrapped under master key " + foreign + ", which the default (the"
        + " account and Region of the dataset's first master keys; set kms.allowedKeys to trust others) does not allow;"
        + " refused before any KMS call with a wrapped key", e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
    assertEquals(List.of(dead + ".json"), pendingRecords(enc), "the record is kept");
    assertEquals(2, unrecorded(enc).size(), "no file moved or removed");

    // The next encrypt run recovers stopped runs first: it refuses the same record the same way.
    UntrustedKeyException again = assertThrows(UntrustedKeyException.class,
        () -> encrypt(kit, enc, OutputMode.APPEND, batch(200, 6)));
    assertEquals(e.getMessage().replaceFirst("^recover ", "encrypt "), again.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed");
    assertEquals(List.of(dead + ".json"), pendingRecords(enc), "the record is kept");
  }

  @Test
  void theFirstRunOfADatasetStoppingBecomesCommitOne() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.ERROR, batch(0, 6));

    DatasetException noManifest = assertThrows(DatasetException.class,
        () -> VerifyJob.run(JobTestKit.spark(), verify(kit, enc)));
    assertTrue(noManifest.getMessage().contains(dead) && noManifest.getMessage().contains("no columnseal manifest"),
        noManifest.getMessage());
    ConfigException error = assertThrows(ConfigException.class,
        () -> encrypt(kit, enc, OutputMode.ERROR, batch(100, 6)));
    assertTrue(error.getMessage().contains(dead) && error.getMessage().contains("output.mode=error"), error.getMessage());
    assertEquals(1, pendingRecords(enc).size(), "error mode changed nothing");

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, batch(100, 6));
    assertEquals(RecoveredRun.RECOVERED, next.recovered.get(0).outcome);
    ManifestState m = OutputModesTest.state(enc);
    assertEquals(2, m.version());
    Commit first = m.history().get(0);
    assertEquals(dead, first.runId());
    assertEquals("error", first.operation().get("recoveredMode"));
    assertEquals(EncryptJob.schemaRecords(SCHEMA, SENSITIVE), first.schema(), "the schema came from the pending record");
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6));
  }

  @Test
  void anOverwriteThatStoppedIsFinishedAsAnOverwrite() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    Set<String> old = OutputModesTest.state(enc).liveFiles();
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.OVERWRITE, batch(100, 6));

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    assertEquals(RecoveredRun.RECOVERED, next.recovered.get(0).outcome);
    Commit recovered = OutputModesTest.state(enc).history().get(1);
    assertEquals(dead, recovered.runId());
    assertEquals(CommitKind.OVERWRITE, recovered.kind());
    assertEquals(new TreeSet<>(old), new TreeSet<>(recovered.removedFiles()), "it retires what it planned to replace");
    for (String f : old) {
      assertFalse(Files.exists(dir.resolve(f)), f + " was retired, so it is deleted");
    }
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(100, 6), batch(200, 6));
  }

  @Test
  void aDataCommitThatStoppedPartWayIsFinishedFromTheRunsWorkFolder() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));
    // As if the job commit had moved one task's file and not the other's when the driver died:
    // the other still waits in its committed task's folder under the run's work folder.
    String workDir = "_temporary/" + RunScopedCommitter.attemptOf(dead);
    String notMoved = unrecorded(enc).get(0);
    Path waiting = dir.resolve(workDir + "/task_202612040000_0001_m_000001/" + notMoved);
    Files.createDirectories(waiting.getParent());
    Files.move(dir.resolve(notMoved), waiting);

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    RecoveredRun rec = next.recovered.get(0);
    assertEquals(RecoveredRun.RECOVERED, rec.outcome, rec.describe());
    assertEquals(2, rec.files);
    assertEquals(1, rec.filesMoved);
    assertEquals(6, rec.rows);
    assertTrue(rec.describe().startsWith("recovered run " + dead + ": all 2 files / 6 rows committed"), rec.describe());
    assertTrue(Files.exists(dir.resolve(notMoved)), "moved into place");
    assertFalse(Files.exists(dir.resolve("_temporary")), "the run's work folder is gone");
    assertEquals(dead, OutputModesTest.state(enc).history().get(1).runId());
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6), batch(200, 6));
  }

  @Test
  void aRunWithAFileInNeitherPlaceIsDroppedWhole() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));
    // One task's file is lost; the other arrived. Keeping it would commit part of the run.
    List<String> files = unrecorded(enc);
    Files.delete(dir.resolve(files.get(0)));

    List<RecoveredRun> runs = RecoverJob.run(JobTestKit.spark(), enc, null, false);
    RecoveredRun rec = runs.get(0);
    assertEquals(RecoveredRun.DROPPED, rec.outcome, rec.describe());
    assertEquals(dead, rec.runId);
    assertEquals(1, rec.filesRemoved);
    assertTrue(rec.describe().startsWith("dropped run " + dead + ": its data never fully arrived; removed 1 files,"
        + " re-run the input"), rec.describe());
    assertTrue(rec.describe().contains("1 of its 2 files were in neither"), rec.describe());
    assertFalse(Files.exists(dir.resolve(files.get(1))), "the file that arrived is removed too");
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing of the run is committed");
    assertNoPendingRecord(enc);
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6));

    // Re-running its input adds its rows once.
    encrypt(kit, enc, OutputMode.APPEND, batch(100, 6));
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6));
  }

  @Test
  void aRecordWhoseDataNeverArrivedIsDroppedAndNothingIsCommitted() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));
    for (String f : unrecorded(enc)) {
      Files.delete(dir.resolve(f));
    }

    RunSummary next = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    assertEquals(RecoveredRun.DROPPED, next.recovered.get(0).outcome);
    assertEquals(0, next.recovered.get(0).filesRemoved);
    assertEquals(dead, next.recovered.get(0).runId);
    ManifestState m = OutputModesTest.state(enc);
    assertEquals(2, m.version());
    assertTrue(m.history().stream().noneMatch(c -> c.runId().equals(dead)));
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(200, 6));
  }

  @Test
  void aRecordLeftBehindAfterItsManifestCommitIsHarmlessAndThenRemoved() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    FaultyFs.refusePendingRecordDeletes(true);
    RunSummary second;
    try {
      second = encrypt(kit, FaultyFs.url(dir), OutputMode.APPEND, batch(100, 6));
    } finally {
      FaultyFs.refusePendingRecordDeletes(false);
    }
    assertEquals(List.of(second.runId + ".json"), pendingRecords(enc), "the record stayed");
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6));

    RunSummary third = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    assertEquals(RecoveredRun.ALREADY_COMMITTED, third.recovered.get(0).outcome);
    assertEquals(3, OutputModesTest.state(enc).version(), "no second commit of the same run");
    assertNoPendingRecord(enc);
  }

  @Test
  void aRunStillInProgressIsLeftAloneAndADriverElsewhereWaitsUnlessForced() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6));

    // This JVM says the run is still going: another run must not take its files.
    DriverProcess.runStarted(dead);
    RunSummary meanwhile;
    try {
      meanwhile = encrypt(kit, enc, OutputMode.APPEND, batch(200, 6));
    } finally {
      DriverProcess.runEnded(dead);
    }
    assertEquals(RecoveredRun.LEFT_ALONE, meanwhile.recovered.get(0).outcome);
    assertTrue(meanwhile.recovered.get(0).note.contains("running in this JVM"), meanwhile.recovered.get(0).note);
    assertEquals(1, pendingRecords(enc).size());

    // A driver on another host, 5 minutes ago: maybe alive, so only --force takes it.
    Path record = dir.resolve("_columnseal/_pending/" + dead + ".json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode node = (ObjectNode) json.readTree(record.toFile());
    ((ObjectNode) node.get("driver")).put("host", "emr-core-7.internal");
    node.put("written", Instant.now().minus(5, ChronoUnit.MINUTES).toString());
    json.writeValue(record.toFile(), node);
    List<RecoveredRun> waiting = RecoverJob.run(JobTestKit.spark(), enc, null, false);
    assertEquals(RecoveredRun.LEFT_ALONE, waiting.get(0).outcome);
    assertTrue(waiting.get(0).note.contains("--force") && waiting.get(0).note.contains("emr-core-7.internal"),
        waiting.get(0).note);

    List<RecoveredRun> forced = RecoverJob.run(JobTestKit.spark(), enc, null, true);
    assertEquals(RecoveredRun.RECOVERED, forced.get(0).outcome);
    assertEquals("recover command", OutputModesTest.state(enc).lastCommit().operation().get("recoveredBy"));
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6), batch(200, 6));
  }

  @Test
  void anAppendOfTheFilesOfARunLeftAloneIsRefusedUntilThatRunIsSettled() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).partitions(2).build());
    FaultyFs.refuseManifestCommits(true);
    try {
      assertThrows(ManifestStorageException.class, () -> EncryptJob.run(JobTestKit.spark(),
          kit.sampleCsv(FaultyFs.url(dir)).mode(OutputMode.APPEND).allowRepeat(true).build()));
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    String dead = pendingRecords(enc).get(0).replace(".json", "");

    // Its driver may still be running: recovery leaves it alone, so its input is not yet in the
    // manifest, and the same CSV appended now would be committed twice once that run commits.
    DriverProcess.runStarted(dead);
    try {
      ConfigException e = assertThrows(ConfigException.class,
          () -> EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).build()));
      assertTrue(e.getMessage().contains("is the input of run " + dead + ", which has not finished"), e.getMessage());
    } finally {
      DriverProcess.runEnded(dead);
    }
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing committed meanwhile");

    // Settled, the run's commit names the files, and the manifest's repeat guard takes over.
    RecoverJob.run(JobTestKit.spark(), enc, null, false);
    assertEquals(2, OutputModesTest.state(enc).version());
    ConfigException again = assertThrows(ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).mode(OutputMode.APPEND).build()));
    assertTrue(again.getMessage().contains("already committed to dataset"), again.getMessage());
  }

  @Test
  void aDataFileLostByTheCommitterFailsTheRunAndLeavesNothingOfIt() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    FaultyFs.loseTheNextMovedDataFile(true);
    DatasetException e;
    try {
      e = assertThrows(DatasetException.class, () -> encrypt(kit, FaultyFs.url(dir), OutputMode.APPEND, batch(100, 6)));
    } finally {
      FaultyFs.loseTheNextMovedDataFile(false);
    }
    assertTrue(e.getMessage().contains("1 of them are not in") && e.getMessage().contains("run it again"), e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "no manifest commit names the lost file");
    assertEquals(List.of(), unrecorded(enc), "the run's other file was removed");
    assertNoPendingRecord(enc);

    encrypt(kit, enc, OutputMode.APPEND, batch(100, 6));
    assertClean(kit, enc);
    assertDecrypts(kit, enc, batch(0, 6), batch(100, 6));
  }

  @Test
  void anUnreadablePendingRecordStopsTheNextRunAndIsNamed() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    encrypt(kit, enc, OutputMode.ERROR, batch(0, 6));
    Path pending = Files.createDirectories(Path.of(enc, "_columnseal", "_pending"));
    Files.writeString(pending.resolve("20261122T010203Z-0badf00d.json"), "{\"runId\":\"20261122T010203Z-0badf00d\"");
    List<String> before = DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc));

    DatasetException e = assertThrows(DatasetException.class, () -> encrypt(kit, enc, OutputMode.APPEND, batch(100, 6)));
    assertTrue(e.getMessage().contains("20261122T010203Z-0badf00d.json") && e.getMessage().contains("cannot be read"),
        e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version());
    assertEquals(before, DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc)));
  }

  @Test
  void recoverWithTheMacKeyMacsTheRecoveredCommitAndRefusesAForgedHead() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    try (io.columnseal.kms.LocalKeyring ring = io.columnseal.kms.LocalKeyring.createOrOpen(kit.keyringFile)) {
      ring.createKey("alias/m", "manifest MAC key", io.columnseal.kms.KeySpec.HMAC_256);
    }
    kit.reloadKeys();
    io.columnseal.kms.KeyService kms = io.columnseal.kms.KeyServices.shared(kit.keys);
    Path dir = tmp.resolve("enc");
    String enc = dir.toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
        .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2)
        .manifestMacKey("alias/m").build(), batch(0, 6));
    String dead = stopBeforeManifestCommit(kit, dir, OutputMode.APPEND, batch(100, 6), "alias/m");

    // Commit 1 edited without the key (digest recomputed): recover refuses, the run stays pending.
    Path first = dir.resolve("_columnseal/log/00000000000000000001.json");
    byte[] good = Files.readAllBytes(first);
    ObjectNode tree = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(good);
    ((ObjectNode) tree.get("stats")).put("rows", 60);
    Files.write(first, ManifestEdits.resealed(tree));
    io.columnseal.manifest.ManifestNotAuthenticatedException e = assertThrows(
        io.columnseal.manifest.ManifestNotAuthenticatedException.class,
        () -> RecoverJob.run(JobTestKit.spark(), enc, null, false, null, kms, "alias/m"));
    assertTrue(e.getMessage().startsWith("commit 1 of dataset cards ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not authenticated by manifest.macKey alias/m: MAC does not verify;"
        + " refused to append onto it"), e.getMessage());
    assertEquals(List.of(dead + ".json", dead + ".mac"), pendingRecords(enc));

    Files.write(first, good);
    List<RecoveredRun> runs = RecoverJob.run(JobTestKit.spark(), enc, null, false, null, kms, "alias/m");
    assertEquals(RecoveredRun.RECOVERED, runs.get(0).outcome, runs.get(0).describe());
    Commit recovered = OutputModesTest.state(enc).history().get(1);
    assertEquals(dead, recovered.runId());
    assertEquals(4, recovered.formatVersion());
    assertTrue(recovered.mac() != null);
  }

  // ---- helpers

  /** Six-row batches in two partitions; ids from {@code first}; the third name is null. */
  public static Dataset<Row> batch(int first, int count) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(RowFactory.create(first + i, "4000000000" + (100000 + first + i), i == 2 ? null : "Holder " + (first + i)));
    }
    return JobTestKit.spark().createDataFrame(rows, SCHEMA);
  }

  public static RunSummary encrypt(JobTestKit kit, String output, OutputMode mode, Dataset<Row> input) {
    return EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
        .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(output).mode(mode).partitions(2)
        .build(), input);
  }

  /** Runs encrypt until its manifest commit, which the storage refuses; returns the run id. */
  private static String stopBeforeManifestCommit(JobTestKit kit, Path dir, OutputMode mode, Dataset<Row> input)
      throws IOException {
    return stopBeforeManifestCommit(kit, dir, mode, input, null);
  }

  /** As above, the run with manifest.macKey {@code macKey} (null: none); its record's MAC side file is not listed. */
  private static String stopBeforeManifestCommit(JobTestKit kit, Path dir, OutputMode mode, Dataset<Row> input,
      String macKey) throws IOException {
    FaultyFs.refuseManifestCommits(true);
    try {
      ManifestStorageException e = assertThrows(ManifestStorageException.class,
          () -> EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
              .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(FaultyFs.url(dir)).mode(mode)
              .partitions(2).manifestMacKey(macKey).build(), input));
      assertTrue(e.getCause().getMessage().contains("injected fault"), e.toString());
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    List<String> records = new ArrayList<>(pendingRecords(dir.toString()));
    records.removeIf(r -> r.endsWith(".mac"));
    assertEquals(1, records.size(), "one pending record: " + records);
    assertEquals(records, claims(dir.toString()), "and the run's write claim");
    assertEquals(2, unrecorded(dir.toString()).size(), "the data commit happened");
    return records.get(0).replace(".json", "");
  }

  public static List<String> pendingRecords(String dataset) throws IOException {
    return BadInputTest.pendingRecords(dataset);
  }

  /** Data files on disk that the manifest (if any) does not list. */
  public static List<String> unrecorded(String dataset) {
    List<String> files = new ArrayList<>(DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(dataset)));
    BadInputTest.manifest(dataset).read().ifPresent(m -> files.removeAll(m.liveFiles()));
    return files;
  }

  public static VerifySettings verify(JobTestKit kit, String dataset) {
    return new VerifySettings(dataset, null, kit.keys, false, 3, SENSITIVE, null);
  }

  private static void assertNoPendingRecord(String dataset) throws IOException {
    assertEquals(List.of(), pendingRecords(dataset));
    assertEquals(List.of(), claims(dataset));
  }

  /** The write claims under {@code _columnseal/_writing/}. */
  public static List<String> claims(String dataset) throws IOException {
    Path dir = Path.of(dataset, DatasetFiles.MANIFEST_DIR, "_writing");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** verify finds nothing (row counts, cell counts per DEK, files, keys). */
  private static void assertClean(JobTestKit kit, String dataset) {
    VerifyReport r = VerifyJob.run(JobTestKit.spark(), verify(kit, dataset));
    assertTrue(r.ok(), r.toTerminal());
  }

  @SafeVarargs
  private static void assertDecrypts(JobTestKit kit, String dataset, Dataset<Row>... batches) {
    Dataset<Row> expected = batches[0];
    for (int i = 1; i < batches.length; i++) {
      expected = expected.union(batches[i]);
    }
    assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, dataset, "parquet")));
  }

  private static boolean has(VerifyReport r, String check, String text) {
    return r.findings.stream().anyMatch(f -> f.check.equals(check) && f.message.contains(text));
  }
}
