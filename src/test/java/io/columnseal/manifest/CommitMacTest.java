package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KeySpec;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.testserver.KmsTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Format version 4: the commit MAC (docs/FORMAT.md 5.4), its bytes and the store's checks on both backends. */
class CommitMacTest {
  static final String MAC_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0f5e2d7c-1a2b-4c3d-8e9f-0000000000aa";
  /** The FORMAT.md 5.4 test vector: this key (hex), the message of commit 2 below, its MAC. */
  static final String VECTOR_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  @TempDir
  java.nio.file.Path tmp;
  private KmsTestServer server;
  private KeyService kms;

  @AfterEach
  void close() {
    if (kms != null) {
      kms.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Commit.Builder example() {
    return Commit.builder().formatVersion(4).datasetId("cards-test").number(2).kind(CommitKind.ENCRYPT)
        .runId("run-2").time(Fixtures.T0).files(List.of("part-0.parquet")).cellEncoding("binary")
        .stats(Map.of("rows", 3L)).parentDigest("ab".repeat(32));
  }

  static final String EXAMPLE_V4 = "{\"addedDeks\":[],\"boundFiles\":[],\"cellEncoding\":\"binary\",\"datasetId\":"
      + "\"cards-test\",\"digest\":\"DIGEST\",\"files\":[\"part-0.parquet\"],\"formatVersion\":4,\"inputs\":[],\"kind\":"
      + "\"ENCRYPT\",\"mac\":{\"algorithm\":\"HMAC_SHA_256\",\"keyArn\":\"" + MAC_ARN + "\",\"value\":"
      + "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"},\"number\":2,\"operation\":{},\"parentDigest\":\"" + "ab".repeat(32)
      + "\",\"removedFiles\":[],\"rewrappedDeks\":[],\"runId\":\"run-2\",\"schema\":null,\"stats\":{\"rows\":3},"
      + "\"time\":\"2026-11-22T02:00:00Z\"}\n";

  @Test
  void aVersion4CommitHasTheseBytesAndItsDigestExcludesTheMac() throws Exception {
    Commit sealed = example().seal();
    byte[] ones = new byte[32];
    java.util.Arrays.fill(ones, (byte) 1);
    Commit signed = sealed.withMac(new CommitMac(MAC_ARN, ones));
    String json = new String(CommitCodec.encode(signed), StandardCharsets.UTF_8);
    assertEquals(EXAMPLE_V4.replace("DIGEST", signed.digest()), json);
    // The digest: SHA-256 of the file without the digest and the mac members.
    String body = json.replace("\"digest\":\"" + signed.digest() + "\",", "")
        .replaceAll("\"mac\":\\{[^}]*\\},", "");
    assertEquals(signed.digest(), HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8))));
    Commit back = CommitCodec.decode(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(signed.mac(), back.mac());
    assertArrayEquals(CommitCodec.encode(signed), CommitCodec.encode(back));
    // A version-4 commit cannot be written without its mac, nor a version-3 one with a mac.
    assertThrows(IllegalStateException.class, () -> CommitCodec.encode(sealed));
    assertThrows(IllegalArgumentException.class, () -> example().formatVersion(3).mac(new CommitMac(MAC_ARN, ones)).seal());
  }

  @Test
  void theMacMessageAndTheFormatVectorHaveTheseBytes() throws Exception {
    String digest = "5d1a1e4c8b3f2a697e0d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070";
    byte[] message = CommitMac.message("cards-test", 7, digest);
    assertEquals("columnseal commit mac v1\ncards-test\n7\n" + digest, new String(message, StandardCharsets.US_ASCII));
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(HexFormat.of().parseHex(VECTOR_KEY), "HmacSHA256"));
    assertEquals(HexFormat.of().formatHex(message), HEX_MESSAGE);
    assertEquals(VECTOR_MAC, HexFormat.of().formatHex(hmac.doFinal(message)));
  }

  static final String HEX_MESSAGE = "636f6c756d6e7365616c20636f6d6d6974206d61632076310a63617264732d746573740a370a3564316131653463386233663261363937" + "6530643463336232613139303866376536643563346233613239313830663765366435633462336132393138303730";
  static final String VECTOR_MAC = "3a5f9eaa852fd154789c29ab03c5acc8c0ffb24bbbf79301a337f7ad39b55bd0";

  private ManifestMacKey key(String backend, String alias) {
    if (backend.equals("local")) {
      java.nio.file.Path ring = tmp.resolve("keyring.json");
      try (LocalKeyring r = LocalKeyring.createOrOpen(ring)) {
        r.createKey(alias, "manifest MAC key", KeySpec.HMAC_256);
      }
      kms = LocalKeyring.createOrOpen(ring);
    } else {
      if (server == null) {
        server = KmsTestServer.start();
      }
      server.createAlias(alias, server.createHmacKey("manifest MAC key"));
      kms = KeyServices.open(server.spec());
    }
    return new ManifestMacKey(kms, alias);
  }

  private static CommitDraft encrypt(long dek) {
    return CommitDraft.builder(CommitKind.ENCRYPT, Fixtures.DATASET, "run-" + dek).schema(Fixtures.SCHEMA)
        .addDek(Fixtures.dek(dek, Fixtures.KEY_A, "run-" + dek)).addFile("part-" + dek + ".parquet").build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aStoreWithTheKeyWritesVersion4AndReadsIt(String backend) {
    ManifestStore store = Fixtures.store(tmp).withMacKey(key(backend, "alias/m"));
    store.commit(encrypt(1), 0);
    Commit second = store.commit(encrypt(2), 1);
    assertEquals(4, second.formatVersion());
    assertEquals(2, store.read().orElseThrow().version());
    assertEquals(1, store.readAt(1).version());
    if (server != null) {
      assertEquals(2, server.log().of("GenerateMac").size());
      assertEquals(1 + 1 + 1, server.log().of("VerifyMac").size(), "writer of commit 2, read, readAt");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aHeadEditedWithoutTheKeyIsRefusedByReaderAndWriter(String backend) throws Exception {
    ManifestStore store = Fixtures.store(tmp).withMacKey(key(backend, "alias/m"));
    store.commit(encrypt(1), 0);
    store.commit(encrypt(2), 1);
    // Point commit 2's DEK at another key, recompute the digest, keep the mac.
    rewrite(2, tree -> ((ObjectNode) tree.get("addedDeks").get(0)).put("keyArn", Fixtures.KEY_B));
    String expected = "commit 2 of dataset cards_enc (" + store.commitPath(2) + ") is not authenticated by"
        + " manifest.macKey alias/m: MAC does not verify";
    assertEquals(expected, assertThrows(ManifestNotAuthenticatedException.class, store::read).getMessage());
    assertEquals(expected + "; refused to append onto it",
        assertThrows(ManifestNotAuthenticatedException.class, () -> store.commit(encrypt(3), 2)).getMessage());
    assertEquals(2, Fixtures.store(tmp).read().orElseThrow().version(), "nothing appended; without the key it reads");

    // Drop the mac too (as version 3): refused, and a writer calls it a downgrade.
    rewrite(2, tree -> {
      tree.remove("mac");
      tree.put("formatVersion", 3);
    });
    String noMac = "commit 2 of dataset cards_enc (" + store.commitPath(2) + ") is not authenticated by manifest.macKey"
        + " alias/m: it carries no MAC (format version 3); a dataset written without the key is authenticated once, by"
        + " an operator who checked it, with columnseal manifest authenticate";
    assertEquals(noMac, assertThrows(ManifestNotAuthenticatedException.class, store::read).getMessage());
    assertEquals(noMac + "; refused to append onto it",
        assertThrows(ManifestNotAuthenticatedException.class, () -> store.commit(encrypt(3), 2)).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aMacMadeWithAnotherHmacKeyIsRefused(String backend) {
    ManifestMacKey other = key(backend, "alias/other");
    Fixtures.store(tmp).withMacKey(other).commit(encrypt(1), 0);
    KeyService first = kms;
    ManifestMacKey mine = key(backend, "alias/m");
    ManifestStore store = Fixtures.store(tmp).withMacKey(mine);
    assertEquals("commit 1 of dataset cards_enc (" + store.commitPath(1) + ") is not authenticated by manifest.macKey"
        + " alias/m: MAC does not verify", assertThrows(ManifestNotAuthenticatedException.class, store::read).getMessage());
    if (first != kms) {
      first.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aVersion3ManifestOpensWithTheKeyOnlyOnceAnAdoptingWriterMacsACommit(String backend) {
    ManifestStore plain = Fixtures.store(tmp);
    plain.commit(encrypt(1), 0);
    assertEquals(1, plain.read().orElseThrow().version());
    ManifestMacKey key = key(backend, "alias/m");
    ManifestStore keyed = plain.withMacKey(key);
    assertThrows(ManifestNotAuthenticatedException.class, keyed::read);
    // An ordinary writer with the key refuses a head without a MAC, as readers do (issue 12 item 3).
    ManifestStore writer = plain.withMacKey(key.forWriter());
    String refused = assertThrows(ManifestNotAuthenticatedException.class, () -> writer.commit(encrypt(2), 1))
        .getMessage();
    assertTrue(refused.endsWith("it carries no MAC (format version 1); a dataset written without the key is"
        + " authenticated once, by an operator who checked it, with columnseal manifest authenticate; refused to append"
        + " onto it"), refused);
    assertEquals(1, plain.read().orElseThrow().version(), "nothing appended");
    // Only the adopting writer appends onto it, and only onto the head digest it was shown.
    String head = plain.read().orElseThrow().lastCommit().digest();
    assertThrows(ManifestNotAuthenticatedException.class,
        () -> plain.withMacKey(key.adopting("0".repeat(64))).commit(encrypt(2), 1));
    Commit second = plain.withMacKey(key.adopting(head)).commit(encrypt(2), 1);
    assertEquals(4, second.formatVersion());
    assertEquals(2, keyed.read().orElseThrow().version());
    assertNull(plain.read().orElseThrow().history().get(0).mac());
    writer.commit(encrypt(3), 2); // ordinary writers append from then on
    assertEquals(3, keyed.read().orElseThrow().version());
  }

  /** The reviewer's case: the log rolled back past its first MAC, a forged commit appended without the key. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aWriterWithTheKeyRefusesALogRolledBackPastItsFirstMac(String backend) throws Exception {
    ManifestStore plain = Fixtures.store(tmp);
    plain.commit(encrypt(1), 0);
    ManifestMacKey key = key(backend, "alias/m");
    ManifestStore writer = plain.withMacKey(key.adopting(plain.read().orElseThrow().lastCommit().digest()));
    writer.commit(encrypt(2), 1);
    ManifestStore keyedWriter = plain.withMacKey(key.forWriter());
    Files.delete(tmp.resolve("_columnseal/log/00000000000000000002.json"));
    plain.commit(CommitDraft.builder(CommitKind.ENCRYPT, Fixtures.DATASET, "run-66")
        .addDek(Fixtures.dek(66, Fixtures.KEY_B, "run-66")).addFile("part-66.parquet").build(), 1);

    ManifestNotAuthenticatedException e = assertThrows(ManifestNotAuthenticatedException.class,
        () -> keyedWriter.commit(encrypt(3), 2));
    assertTrue(e.getMessage().startsWith("commit 2 of dataset cards_enc ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("; refused to append onto it"), e.getMessage());
    assertEquals(2, plain.read().orElseThrow().version(), "nothing appended onto the forged head");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void withTheKeyOnlyACheckpointWhoseMacVerifiesIsUsed(String backend) throws Exception {
    Configuration everyCommit = new Configuration();
    everyCommit.setInt(ManifestStore.CHECKPOINT_INTERVAL, 1);
    ManifestStore plain = ManifestStore.at(Fixtures.manifestDir(tmp), everyCommit, Fixtures.CLOCK);
    ManifestStore keyed = plain.withMacKey(key(backend, "alias/m"));
    keyed.commit(encrypt(1), 0);
    keyed.commit(encrypt(2), 1);
    assertTrue(Files.exists(tmp.resolve("_columnseal/checkpoints/00000000000000000002.json")));
    java.nio.file.Path twoMac = tmp.resolve("_columnseal/checkpoints/00000000000000000002.mac");
    assertTrue(Files.readString(twoMac).startsWith("{\"algorithm\":\"HMAC_SHA_256\",\"keyArn\":\""),
        "a keyed writer MACs the checkpoint it writes");
    if (server != null) {
      server.log().clear();
      assertEquals(2, keyed.read().orElseThrow().version());
      assertEquals(2, server.log().of("VerifyMac").size(), "checkpoint 2's MAC, then the head's");
    }
    // Checkpoint 2 rewritten self-consistently, pointing DEK 1 at key B: a reader without the key
    // trusts it (the audit is what catches it); with the key its MAC no longer verifies, so the
    // state comes from commit 1 and the DEK stays under key A.
    java.nio.file.Path two = tmp.resolve("_columnseal/checkpoints/00000000000000000002.json");
    Checkpoint cp;
    try (var in = Files.newInputStream(two)) {
      cp = CheckpointCodec.decode(in, "2");
    }
    io.columnseal.crypto.DekId victim = io.columnseal.crypto.DekId.fromLong(1);
    java.util.TreeMap<io.columnseal.crypto.DekId, DekRecord> deks = new java.util.TreeMap<>(cp.deks);
    deks.put(victim, deks.get(victim).rewrapped(Fixtures.KEY_B, Fixtures.blob(0x99, Fixtures.KEY_B)));
    Files.write(two, CheckpointCodec.encode(new Checkpoint(cp.datasetId, cp.version, cp.digest, cp.schema,
        cp.cellEncoding, deks, cp.addedIn, cp.liveFiles, cp.boundFiles, cp.inputCommits)));
    assertEquals(Fixtures.KEY_B, plain.read().orElseThrow().deks().get(victim).keyArn());
    assertEquals(Fixtures.KEY_A, keyed.read().orElseThrow().deks().get(victim).keyArn());
    // Without its side file the checkpoint is skipped as well: the same, from commit 1.
    Files.delete(twoMac);
    assertEquals(Fixtures.KEY_A, keyed.read().orElseThrow().deks().get(victim).keyArn());
  }

  private void rewrite(long number, java.util.function.Consumer<ObjectNode> edit) throws Exception {
    java.nio.file.Path file = java.nio.file.Path.of(new Path(Fixtures.manifestDir(tmp), "log/" + CommitLog.fileName(number)).toUri());
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(file));
    edit.accept(tree);
    ObjectNode body = tree.deepCopy();
    body.remove("digest");
    body.remove("mac");
    tree.put("digest", CanonicalJson.sha256Hex(CanonicalJson.write(body)));
    Files.write(file, CanonicalJson.write(tree));
  }
}
