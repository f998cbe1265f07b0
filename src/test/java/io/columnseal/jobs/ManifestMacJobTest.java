package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.cli.Main;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.decrypt.OnCellError;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.OutputMode;
import io.columnseal.jobs.encrypt.OutputModesTest;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeySpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.manifest.ManifestNotAuthenticatedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * manifest.macKey (issue 12 item 3) through the jobs, on the local keyring and on the AWS SDK
 * against the KMS test server: a commit edited without the MAC key is refused before any data key
 * goes to KMS.
 */
public class ManifestMacJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  public Path tmp;
  private KmsTestServer server;
  private JobTestKit kit;
  private KeyServiceSpec keys;
  private String enc;

  @AfterEach
  public void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A dataset key alias/test and two HMAC keys, alias/m and alias/other, on {@code backend}. */
  private void start(String backend) {
    kit = new JobTestKit(tmp);
    enc = tmp.resolve("enc").toString();
    if (backend.equals("local")) {
      try (LocalKeyring ring = LocalKeyring.createOrOpen(kit.keyringFile)) {
        ring.createKey("alias/m", "manifest MAC key", KeySpec.HMAC_256);
        ring.createKey("alias/other", "another HMAC key", KeySpec.HMAC_256);
      }
      kit.reloadKeys();
      keys = kit.keys;
    } else {
      server = KmsTestServer.start();
      server.createAlias("alias/test", server.createKey("cards master key"));
      server.createAlias("alias/m", server.createHmacKey("manifest MAC key"));
      server.createAlias("alias/other", server.createHmacKey("another HMAC key"));
      keys = server.spec();
    }
  }

  private void encrypt(String macKey, OutputMode mode) {
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).keyService(keys).partitions(2).mode(mode).allowRepeat(true)
        .manifestMacKey(macKey).build());
  }

  private String decrypt(String macKey) {
    String out = tmp.resolve("dec-" + System.nanoTime()).toString();
    DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), keys, false,
        OnCellError.FAIL, null, macKey));
    return out;
  }

  private VerifyReport verify(String macKey) {
    return VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, keys, false, 2, List.of(), null, null, macKey));
  }

  private Path commitFile(long n) {
    return Path.of(enc, "_columnseal", "log", String.format("%020d.json", n));
  }

  /** Edits a commit file as someone without the MAC key can: change it, recompute its digest. */
  private void editWithoutTheKey(long n, Consumer<ObjectNode> edit) throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(Files.readAllBytes(commitFile(n)));
    edit.accept(tree);
    ObjectNode body = tree.deepCopy();
    body.remove("digest");
    body.remove("mac");
    tree.put("digest", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical(body))));
    Files.write(commitFile(n), canonical(tree));
  }

  /** Jackson with sorted keys writes the canonical form for these ASCII-only commits (FORMAT.md 5.3). */
  private static byte[] canonical(ObjectNode tree) throws Exception {
    ObjectMapper sorted = new ObjectMapper().configure(
        com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    Object asMap = sorted.treeToValue(tree, java.util.TreeMap.class);
    return (sorted.writeValueAsString(asMap) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private String refusal(long n, String key, String problem) {
    return "commit " + n + " of dataset cards-test (file:" + commitFile(n) + ") is not authenticated by manifest.macKey "
        + key + ": " + problem;
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  public void aDatasetWrittenWithTheKeyDecryptsAndVerifiesWithIt(String backend) throws Exception {
    start(backend);
    encrypt("alias/m", OutputMode.ERROR);
    assertEquals(4, JSON.readTree(commitFile(1).toFile()).get("formatVersion").asInt());
    assertEquals(JobTestKit.sampleInput().count(), JobTestKit.spark().read().parquet(decrypt("alias/m")).count());
    VerifyReport r = verify("alias/m");
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(List.of(), r.warnings);
    assertEquals(1L, r.commitsAuthenticated);
    assertEquals(0L, r.commitsWithoutMac);
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  public void aCommitEditedWithoutTheKeyIsRefusedByDecryptVerifyAndEncryptBeforeAnyDataKeyCall(String backend)
      throws Exception {
    start(backend);
    encrypt("alias/m", OutputMode.ERROR);
    editWithoutTheKey(1, t -> ((ObjectNode) t.get("stats")).put("rows", 1));
    if (server != null) {
      server.log().clear();
    }
    String expected = refusal(1, "alias/m", "MAC does not verify");
    String out = tmp.resolve("dec").toString();
    assertEquals(expected, assertThrows(ManifestNotAuthenticatedException.class, () -> DecryptJob.run(
        JobTestKit.spark(), new DecryptSettings(enc, null, out, "parquet", List.of(), keys, false, OnCellError.FAIL,
            null, "alias/m"))).getMessage());
    assertFalse(Files.exists(Path.of(out)), "no output");
    assertEquals(expected, assertThrows(ManifestNotAuthenticatedException.class, () -> verify("alias/m")).getMessage());
    assertEquals(expected + "; refused to append onto it", assertThrows(ManifestNotAuthenticatedException.class,
        () -> encrypt("alias/m", OutputMode.APPEND)).getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing appended");
    if (server != null) {
      assertEquals(List.of("VerifyMac"), server.log().entries().stream().map(e -> e.operation()).distinct().toList());
    }
    // The mac dropped as well (the commit made to look like format 3): still refused.
    editWithoutTheKey(1, t -> {
      t.remove("mac");
      t.put("formatVersion", 3);
    });
    assertEquals(refusal(1, "alias/m", "it carries no MAC (format version 3); a dataset written without the key is"
        + " authenticated once, by an operator who checked it, with columnseal manifest authenticate"),
        assertThrows(ManifestNotAuthenticatedException.class, () -> decrypt("alias/m")).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  public void aMacMadeWithAnotherHmacKeyIsRefused(String backend) {
    start(backend);
    encrypt("alias/other", OutputMode.ERROR);
    assertEquals(refusal(1, "alias/m", "MAC does not verify"),
        assertThrows(ManifestNotAuthenticatedException.class, () -> decrypt("alias/m")).getMessage());
    decrypt("alias/other");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  public void aFormat3DatasetOpensWithTheKeyOnlyAfterManifestAuthenticate(String backend) throws Exception {
    start(backend);
    encrypt(null, OutputMode.ERROR);
    assertEquals(3, JSON.readTree(commitFile(1).toFile()).get("formatVersion").asInt());
    decrypt(null);
    assertThrows(ManifestNotAuthenticatedException.class, () -> decrypt("alias/m"));
    // A writer with the key no longer adopts it on its own (issue 12 item 3, finding 2).
    assertEquals(refusal(1, "alias/m", "it carries no MAC (format version 3); a dataset written without the key is"
        + " authenticated once, by an operator who checked it, with columnseal manifest authenticate; refused to append"
        + " onto it"), assertThrows(ManifestNotAuthenticatedException.class,
            () -> encrypt("alias/m", OutputMode.APPEND)).getMessage());
    assertEquals(1, OutputModesTest.state(enc).version(), "nothing appended");

    String head = OutputModesTest.state(enc).lastCommit().digest();
    String arn = OutputModesTest.state(enc).deks().values().iterator().next().keyArn();
    String vouched = "dataset cards-test: version 1, head digest " + head + ", 2 live files, DEKs per master key {"
        + arn + "=2}";
    String[] command = {"manifest", "authenticate", "--dataset", enc, "--set", "kms.provider=local", "--set",
        "kms.keyring=" + kit.keyringFile, "--set", "manifest.macKey=alias/m"};
    if (backend.equals("local")) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.PrintStream was = System.out;
      int code;
      System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        code = Main.run(command);
      } finally {
        System.setOut(was);
      }
      String printed = out.toString(StandardCharsets.UTF_8);
      assertEquals(0, code, printed);
      assertEquals("manifest authenticate " + enc + ": vouching for " + vouched + "\nmanifest authenticate " + enc
          + ": commit 2 written with a MAC under manifest.macKey alias/m; readers with the key now open the dataset\n",
          printed);
    } else {
      var a = io.columnseal.jobs.dataset.ManifestAuthentication.inspect(new org.apache.hadoop.fs.Path(enc, "_columnseal"),
          new org.apache.hadoop.conf.Configuration(), io.columnseal.jobs.dataset.KeyTrust.macKey(keys, "alias/m"), enc);
      assertEquals(vouched, a.describe());
      assertEquals(2, a.commit(java.time.Instant.now()).number());
    }
    var two = JSON.readTree(commitFile(2).toFile());
    assertEquals(4, two.get("formatVersion").asInt());
    assertEquals("ENCRYPT", two.get("kind").asText());
    assertEquals("authenticate", two.get("operation").get("mode").asText());
    assertEquals(0, two.get("files").size());
    assertEquals(0, two.get("addedDeks").size());
    assertEquals(JobTestKit.sampleInput().count(), JobTestKit.spark().read().parquet(decrypt("alias/m")).count());
    encrypt("alias/m", OutputMode.APPEND);
    assertEquals(2 * JobTestKit.sampleInput().count(), JobTestKit.spark().read().parquet(decrypt("alias/m")).count());
    VerifyReport r = verify("alias/m");
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(1L, r.commitsWithoutMac);
    // manifest log shows which commits carry a MAC (without verifying it).
    var history = io.columnseal.jobs.dataset.ManifestHistory.read(new org.apache.hadoop.conf.Configuration(), enc, null);
    assertEquals(List.of(false, true, true), history.commits.stream().map(c -> c.mac).toList());
    assertTrue(r.toTerminal().contains("commits: 2 authenticated by manifest.macKey, note: 1 written without a MAC"),
        r.toTerminal());
    if (backend.equals("local")) {
      assertEquals(0, Main.run(command), "run again: the head is authenticated");
      assertEquals(3, OutputModesTest.state(enc).version(), "nothing written");
    }
  }

  @Test
  public void manifestAuthenticateRefusesALogRolledBackPastItsFirstMac() throws Exception {
    start("local");
    encrypt(null, OutputMode.ERROR);
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(enc, "_columnseal");
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    io.columnseal.manifest.ManifestMacKey key = io.columnseal.jobs.dataset.KeyTrust.macKey(keys, "alias/m");
    io.columnseal.jobs.dataset.ManifestAuthentication.inspect(dir, conf, key, enc).commit(java.time.Instant.now());
    encrypt("alias/m", OutputMode.APPEND); // commit 3, MAC'd
    // Someone without the key deletes commit 3 and writes a commit 3 of their own, without a MAC.
    ObjectNode three = (ObjectNode) JSON.readTree(Files.readAllBytes(commitFile(3)));
    editWithoutTheKey(3, t -> {
      t.remove("mac");
      t.put("formatVersion", 3);
      ((ObjectNode) t.get("operation")).put("note", "forged");
    });
    assertTrue(three.has("mac"));
    assertThrows(ManifestNotAuthenticatedException.class, () -> encrypt("alias/m", OutputMode.APPEND));
    io.columnseal.jobs.dataset.DatasetException e = assertThrows(io.columnseal.jobs.dataset.DatasetException.class,
        () -> io.columnseal.jobs.dataset.ManifestAuthentication.inspect(dir, conf, key, enc));
    assertEquals("refused to authenticate dataset cards-test: its head, commit 3, is not authenticated by"
        + " manifest.macKey alias/m (it carries no MAC (format version 3)), but commit 2 carries a MAC: the log was"
        + " rolled back, forged or written with another key since. Restore file:" + dir + " to its last authenticated"
        + " commit (storage versions) instead", e.getMessage());
    assertEquals(1, Main.run("manifest", "authenticate", "--dataset", enc, "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile, "--set", "manifest.macKey=alias/m"));
    assertEquals(2, Main.run("manifest", "authenticate", "--dataset", enc), "no manifest.macKey: usage error");
    assertEquals(3, OutputModesTest.state(enc).version(), "nothing written");
  }

  @Test
  public void rewrapMacsItsCommitAndRefusesAForgedHeadBeforeAnyReEncrypt() throws Exception {
    start("aws");
    encrypt("alias/m", OutputMode.ERROR);
    String target = server.createKey("new master key");
    try (io.columnseal.kms.KeyService service = io.columnseal.jobs.rewrap.RewrapJob.openKeyService(keys, 2)) {
      io.columnseal.jobs.rewrap.RewrapJob.run(new org.apache.hadoop.conf.Configuration(),
          io.columnseal.jobs.rewrap.RewrapSettings.builder(enc, target).manifestMacKey("alias/m").build(), service);
      assertEquals(4, JSON.readTree(commitFile(2).toFile()).get("formatVersion").asInt());
      decrypt("alias/m");

      editWithoutTheKey(2, t -> ((ObjectNode) t.get("operation")).put("note", "forged"));
      server.log().clear();
      // The rewrap left a MAC'd checkpoint at version 2, so the edited commit 2 is caught against
      // the checkpoint's digest (or, without the checkpoint, by its MAC): refused either way.
      io.columnseal.manifest.ManifestException e = assertThrows(io.columnseal.manifest.ManifestException.class,
          () -> io.columnseal.jobs.rewrap.RewrapJob.run(
              new org.apache.hadoop.conf.Configuration(), io.columnseal.jobs.rewrap.RewrapSettings.builder(enc, target)
                  .manifestMacKey("alias/m").build(), service));
      assertTrue(e.getMessage().contains(commitFile(2).getFileName().toString()), e.getMessage());
      java.nio.file.Files.delete(commitFile(2).getParent().resolveSibling("checkpoints").resolve("00000000000000000002.json"));
      assertEquals(refusal(2, "alias/m", "MAC does not verify") + "; refused to append onto it",
          assertThrows(ManifestNotAuthenticatedException.class, () -> io.columnseal.jobs.rewrap.RewrapJob.run(
              new org.apache.hadoop.conf.Configuration(), io.columnseal.jobs.rewrap.RewrapSettings.builder(enc, target)
                  .manifestMacKey("alias/m").build(), service)).getMessage());
    }
    assertEquals(List.of("VerifyMac"), server.log().entries().stream().map(e -> e.operation()).distinct().toList());
  }

  @Test
  public void verifyAuditsEveryMacAndReportsAnEarlierOneThatFails() throws Exception {
    start("local");
    encrypt("alias/m", OutputMode.ERROR);
    encrypt("alias/m", OutputMode.APPEND);
    // The mac is outside the digest: replacing commit 1's leaves the chain intact, so only the audit sees it.
    byte[] forged = new byte[32];
    editWithoutTheKey(1, t -> ((ObjectNode) t.get("mac")).put("value",
        java.util.Base64.getEncoder().encodeToString(forged)));
    decrypt("alias/m"); // the head authenticates the chain
    VerifyReport r = verify("alias/m");
    assertEquals(1, r.findings.size(), r.toTerminal());
    assertEquals("manifest-mac", r.findings.get(0).check);
    assertEquals("commit 1 (file:" + commitFile(1) + ") is not authenticated by manifest.macKey alias/m: MAC does not"
        + " verify", r.findings.get(0).message);
  }

  @Test
  public void aMalformedMacKeyIsAConfigErrorThatDoesNotEchoIt() {
    start("local");
    io.columnseal.ConfigException e = assertThrows(io.columnseal.ConfigException.class, () -> new DecryptSettings(enc,
        null, "out", "parquet", List.of(), keys, false, OnCellError.FAIL, null, "s3cr3t pasted here"));
    assertEquals("Cannot set manifest.macKey: the value (18 characters) is not a key id, alias or ARN", e.getMessage());
    assertThrows(io.columnseal.ConfigException.class, () -> kit.sampleCsv(enc).manifestMacKey("a b").build());
    assertEquals("manifest.macKey needs kms.provider (VerifyMac is a KMS call, even with --shallow)",
        assertThrows(io.columnseal.ConfigException.class, () -> new VerifySettings(enc, null, null, true, 0, List.of(),
            null, null, "alias/m")).getMessage());
    assertEquals(2, Main.run("decrypt", "--dataset", enc, "--output", tmp.resolve("d").toString(), "--set",
        "kms.provider=local", "--set", "kms.keyring=" + kit.keyringFile, "--set", "manifest.macKey=s3cr3t pasted"));
  }

  @Test
  public void verifyWithoutTheKeyWarnsAndExitsZeroOnACleanDataset() {
    start("local");
    encrypt(null, OutputMode.ERROR);
    VerifyReport r = verify(null);
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(List.of("manifest-not-authenticated"), r.warnings.stream().map(w -> w.check).toList());
    assertNull(r.commitsAuthenticated);
    assertTrue(r.toTerminal().contains("  WARNING [manifest-not-authenticated] the manifest of dataset cards-test is not"
        + " authenticated: manifest.macKey is not set"), r.toTerminal());
    assertEquals(0, Main.run("verify", "--dataset", enc, "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile));
    assertEquals(1, Main.run("verify", "--dataset", enc, "--set", "kms.provider=local",
        "--set", "kms.keyring=" + kit.keyringFile, "--set", "manifest.macKey=alias/m"), "refused: exit 1");
  }
}
