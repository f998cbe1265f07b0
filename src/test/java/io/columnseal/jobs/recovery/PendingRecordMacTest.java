package io.columnseal.jobs.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.jobs.FaultyFs;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KeySpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 3, finding 1: with manifest.macKey, a pending record is MAC'd by its run
 * (FORMAT.md 5.9), and recovery (recover, and encrypt's own) commits only a record whose MAC
 * verifies: a record edited or planted by someone who cannot call GenerateMac is refused.
 */
class PendingRecordMacTest {
  private static final List<String> SENSITIVE = List.of("card_number", "cardholder_name");

  @TempDir
  Path tmp;

  @BeforeAll
  static void registerFaultyFs() {
    FaultyFs.register(JobTestKit.spark().sparkContext().hadoopConfiguration());
  }

  private JobTestKit kit;
  private KeyService kms;
  private Path dir;
  private String enc;

  /** A keyed dataset of 6 rows (commit 1) and a keyed append stopped before its manifest commit. */
  private String stoppedKeyedAppend() throws Exception {
    kit = new JobTestKit(tmp);
    try (LocalKeyring ring = LocalKeyring.createOrOpen(kit.keyringFile)) {
      ring.createKey("alias/m", "manifest MAC key", KeySpec.HMAC_256);
    }
    kit.reloadKeys();
    kms = KeyServices.shared(kit.keys);
    dir = tmp.resolve("enc");
    enc = dir.toString();
    encrypt(enc, OutputMode.ERROR, RecoveryTest.batch(0, 6));
    FaultyFs.refuseManifestCommits(true);
    try {
      assertThrows(ManifestStorageException.class,
          () -> encrypt(FaultyFs.url(dir), OutputMode.APPEND, RecoveryTest.batch(100, 6)));
    } finally {
      FaultyFs.refuseManifestCommits(false);
    }
    List<String> records = RecoveryTest.pendingRecords(enc);
    assertEquals(2, records.size(), records.toString());
    String run = records.get(0).replace(".json", "");
    assertEquals(List.of(run + ".json", run + ".mac"), records, "the record and its MAC side file");
    return run;
  }

  private void encrypt(String output, OutputMode mode, Dataset<Row> input) {
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards").inputPath("(memory)")
        .columns(SENSITIVE).keyService(kit.keys).kmsKey("alias/test").outputPath(output).mode(mode).partitions(2)
        .manifestMacKey("alias/m").build(), input);
  }

  private Path record(String run) {
    return dir.resolve("_columnseal/_pending/" + run + ".json");
  }

  private Path mac(String run) {
    return dir.resolve("_columnseal/_pending/" + run + ".mac");
  }

  private void editMode(String run, String mode) throws Exception {
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(Files.readAllBytes(record(run)));
    tree.put("mode", mode);
    Files.write(record(run), new ObjectMapper().writeValueAsBytes(tree));
  }

  private String refusal(String run, String why) {
    return "run " + run + ": the pending record " + new org.apache.hadoop.fs.Path(record(run).toUri()) + " is not"
        + " authenticated by manifest.macKey alias/m (" + why + "); nothing was moved or committed. To drop it without"
        + " committing it (its files are left for verify to list): columnseal recover --dataset " + enc + " --force";
  }

  /** Nothing moved or committed: commit 1 is the head, the record kept, the stopped run's 2 files unrecorded. */
  private void assertUntouched(String run, List<String> pending) throws Exception {
    assertEquals(1, OutputModesTest.state(enc).version());
    assertEquals(pending, RecoveryTest.pendingRecords(enc));
    assertEquals(2, RecoveryTest.unrecorded(enc).size());
  }

  @Test
  void aKeyedRunMacsItsPendingRecordAndRecoverCommitsItAndRemovesTheMac() throws Exception {
    String run = stoppedKeyedAppend();
    String side = Files.readString(mac(run));
    assertTrue(side.startsWith("{\"algorithm\":\"HMAC_SHA_256\",\"keyArn\":\"arn:") && side.endsWith("\"}\n"), side);

    List<RecoveredRun> runs = RecoverJob.run(JobTestKit.spark(), enc, null, false, null, kms, "alias/m");
    assertEquals(RecoveredRun.RECOVERED, runs.get(0).outcome, runs.get(0).describe());
    Commit head = OutputModesTest.state(enc).lastCommit();
    assertEquals(run, head.runId());
    assertEquals(CommitKind.ENCRYPT, head.kind());
    assertTrue(head.mac() != null);
    assertEquals(List.of(), RecoveryTest.pendingRecords(enc), "record and MAC removed");
  }

  @Test
  void recoverRefusesAnEditedRecordAndForceDropsItWithoutCommitting() throws Exception {
    String run = stoppedKeyedAppend();
    editMode(run, "overwrite");   // the reviewer's attack: append -> overwrite retires commit 1's files

    DatasetException e = assertThrows(DatasetException.class,
        () -> RecoverJob.run(JobTestKit.spark(), enc, null, false, null, kms, "alias/m"));
    assertEquals(refusal(run, "its MAC (" + run + ".mac) does not verify under manifest.macKey alias/m"), e.getMessage());
    assertUntouched(run, List.of(run + ".json", run + ".mac"));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream was = System.err;
    int code;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      code = io.columnseal.cli.Main.run("recover", "--dataset", enc, "--set", "kms.provider=local", "--set",
          "kms.keyring=" + kit.keyringFile, "--set", "manifest.macKey=alias/m");
    } finally {
      System.setErr(was);
    }
    String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, code, printed);
    assertTrue(printed.contains(e.getMessage()), printed);
    assertUntouched(run, List.of(run + ".json", run + ".mac"));

    List<RecoveredRun> forced = RecoverJob.run(JobTestKit.spark(), enc, null, true, null, kms, "alias/m");
    assertEquals(RecoveredRun.DROPPED, forced.get(0).outcome, forced.get(0).describe());
    ManifestState s = OutputModesTest.state(enc);
    assertEquals(1, s.version(), "nothing committed");
    assertEquals(2, s.liveFiles().size(), "commit 1's files are live");
    assertEquals(List.of(), RecoveryTest.pendingRecords(enc));
    assertTrue(!Files.exists(mac(run)));
    assertEquals(2, RecoveryTest.unrecorded(enc).size(), "its files are left for verify to list");
  }

  @Test
  void encryptsOwnRecoveryRefusesARecordWithoutAMac() throws Exception {
    String run = stoppedKeyedAppend();
    Files.delete(mac(run));   // a record planted (or left) without the key's MAC

    DatasetException e = assertThrows(DatasetException.class,
        () -> encrypt(enc, OutputMode.APPEND, RecoveryTest.batch(200, 6)));
    assertEquals(refusal(run, "it has no MAC side file " + run + ".mac in the documented form"), e.getMessage());
    assertUntouched(run, List.of(run + ".json"));
  }

  @Test
  void aMacOfAnotherRecordDoesNotAuthenticateThisOne() throws Exception {
    String run = stoppedKeyedAppend();
    // A genuine MAC under the key, moved onto a forged record of another run id.
    String other = "20261122T010203Z-0badf00d";
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(Files.readAllBytes(record(run)));
    tree.put("runId", other);
    Files.write(record(other), new ObjectMapper().writeValueAsBytes(tree));
    Files.copy(mac(run), mac(other));
    Files.delete(record(run));
    Files.delete(mac(run));

    DatasetException e = assertThrows(DatasetException.class,
        () -> RecoverJob.run(JobTestKit.spark(), enc, null, false, null, kms, "alias/m"));
    assertEquals(refusal(other, "its MAC (" + other + ".mac) does not verify under manifest.macKey alias/m"),
        e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version());
  }
}
