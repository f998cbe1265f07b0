package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** KMS semantics of the local keyring: wrapping, context binding, aliases, rotation, states. */
class LocalKeyringTest {
  private static final DekId DEK_ID = DekId.fromLong(0x0123456789abcdefL);

  @TempDir Path dir;
  private Path file;
  private LocalKeyring keyring;
  private KeyDescription cards;
  private EncryptionContext context;
  /** Every exception a test provoked, checked for key material after each test. */
  private final List<Throwable> thrown = new ArrayList<>();

  @BeforeEach
  void openKeyring() {
    file = dir.resolve("test.keyring.json");
    keyring = LocalKeyring.createOrOpen(file);
    cards = keyring.createKey("alias/cards", "cards master key");
    context = EncryptionContext.forDek("cards", DEK_ID.hex(), Map.of("env", "test"));
  }

  @AfterEach
  void noMessageShowsKeyMaterial() {
    List<String> materials = KeyringSecrets.materials(file);
    for (Throwable t : thrown) {
      KeyringSecrets.assertShowsNone(t, materials);
    }
    keyring.close();
  }

  private <T extends Throwable> T expect(Class<T> type, Executable call) {
    T t = assertThrows(type, call);
    thrown.add(t);
    return t;
  }

  private String keyId(KeyDescription key) {
    return key.keyArn().substring(key.keyArn().lastIndexOf('/') + 1);
  }

  // ---- GenerateDataKey and Decrypt

  @Test
  void generatedDekDecryptsToTheSameKey() {
    GeneratedDataKey generated = keyring.generateDataKey("alias/cards", DEK_ID, context);
    assertEquals(cards.keyArn(), generated.wrapped().keyArn());
    assertEquals(LocalKeyBlob.LENGTH, generated.wrapped().blob().length);
    assertEquals(DEK_ID, generated.plaintext().id());
    try (OpeningKey decrypted = keyring.decrypt(generated.wrapped(), DEK_ID, context)) {
      assertTrue(decrypted.sameKeyAs(generated.plaintext()));
    }
  }

  @Test
  void eachDekAndEachBlobIsFresh() {
    GeneratedDataKey a = keyring.generateDataKey(cards.keyArn(), DEK_ID, context);
    GeneratedDataKey b = keyring.generateDataKey(cards.keyArn(), DEK_ID, context);
    assertFalse(a.plaintext().sameKeyAs(b.plaintext()));
    assertNotEquals(a.wrapped(), b.wrapped());
  }

  @Test
  void anotherInstanceOnTheSameFileDecrypts() {
    GeneratedDataKey generated = keyring.generateDataKey("alias/cards", DEK_ID, context);
    try (LocalKeyring reopened = LocalKeyring.open(file);
        OpeningKey decrypted = reopened.decrypt(generated.wrapped(), DEK_ID, context)) {
      assertTrue(decrypted.sameKeyAs(generated.plaintext()));
    }
  }

  @Test
  void contextIsBoundToTheWrappedKey() {
    WrappedKey wrapped = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    Map<String, String> extra = new HashMap<>(context.asMap());
    extra.put("extra", "pair");
    Map<String, String> missing = new HashMap<>(context.asMap());
    missing.remove("env");
    Map<String, String> changed = new HashMap<>(context.asMap());
    changed.put(EncryptionContext.DATASET, "loans");
    for (Map<String, String> other : List.of(extra, missing, changed, Map.<String, String>of())) {
      InvalidCiphertextException e = expect(InvalidCiphertextException.class,
          () -> keyring.decrypt(wrapped, DEK_ID, EncryptionContext.of(other)));
      assertEquals("Decrypt", e.operation());
      assertEquals(cards.keyArn(), e.keyId());
      InvalidCiphertextException r = expect(InvalidCiphertextException.class,
          () -> keyring.reEncrypt(wrapped, EncryptionContext.of(other), "alias/cards"));
      assertEquals("ReEncrypt", r.operation());
    }
  }

  @Test
  void everyFlippedByteFails() {
    byte[] blob = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped().blob();
    for (int i = 0; i < blob.length; i++) {
      byte[] changed = blob.clone();
      changed[i] ^= 0x01;
      WrappedKey tampered = new WrappedKey(cards.keyArn(), changed);
      boolean inKeyId = i >= LocalKeyBlob.KEY_ID_OFFSET && i < LocalKeyBlob.KEY_VERSION_OFFSET;
      // A changed key id names another key: KMS answers IncorrectKeyException, here a mismatch.
      Class<? extends KmsException> expected = inKeyId ? KeyMismatchException.class : InvalidCiphertextException.class;
      KmsException e = expect(expected, () -> keyring.decrypt(tampered, DEK_ID, context));
      assertEquals("Decrypt", e.operation(), "byte " + i);
    }
  }

  @Test
  void truncatedOrExtendedBlobsFail() {
    byte[] blob = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped().blob();
    byte[] shorter = Arrays.copyOf(blob, blob.length - 1);
    byte[] longer = Arrays.copyOf(blob, blob.length + 1);
    expect(InvalidCiphertextException.class, () -> keyring.decrypt(new WrappedKey(cards.keyArn(), shorter), DEK_ID, context));
    expect(InvalidCiphertextException.class, () -> keyring.decrypt(new WrappedKey(cards.keyArn(), longer), DEK_ID, context));
  }

  @Test
  void aBlobClaimedByAnotherKeyIsAMismatch() {
    KeyDescription loans = keyring.createKey("alias/loans", "loans");
    WrappedKey underCards = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    WrappedKey claimed = new WrappedKey(loans.keyArn(), underCards.blob());
    KeyMismatchException d = expect(KeyMismatchException.class, () -> keyring.decrypt(claimed, DEK_ID, context));
    assertEquals("Decrypt", d.operation());
    assertTrue(d.getMessage().contains(cards.keyArn()) && d.getMessage().contains(loans.keyArn()), d.getMessage());
    expect(KeyMismatchException.class, () -> keyring.reEncrypt(claimed, context, "alias/loans"));
  }

  // ---- References

  @Test
  void allFourReferenceFormsNameTheKey() {
    String id = keyId(cards);
    List<String> refs = List.of(id, cards.keyArn(), "alias/cards", "arn:aws:kms:local:000000000000:alias/cards");
    for (String ref : refs) {
      assertEquals(cards.keyArn(), keyring.describeKey(ref).keyArn(), ref);
      GeneratedDataKey g = keyring.generateDataKey(ref, DEK_ID, context);
      assertEquals(cards.keyArn(), g.wrapped().keyArn(), ref);
      // Decrypt also accepts any form as the expected key.
      try (OpeningKey d = keyring.decrypt(new WrappedKey(ref, g.wrapped().blob()), DEK_ID, context)) {
        assertTrue(d.sameKeyAs(g.plaintext()), ref);
      }
    }
    assertEquals(KeyState.ENABLED, keyring.describeKey("alias/cards").state());
  }

  @Test
  void unknownKeysAreNotFound() {
    List<String> unknown = List.of(UUID.randomUUID().toString(), LocalKeyRef.keyArn(UUID.randomUUID()), "alias/nope",
        "arn:aws:kms:local:000000000000:alias/nope", "arn:aws:kms:eu-west-1:111122223333:key/" + keyId(cards), "cards");
    for (String ref : unknown) {
      KeyNotFoundException d = expect(KeyNotFoundException.class, () -> keyring.describeKey(ref));
      assertEquals("DescribeKey", d.operation());
      assertEquals(ref.equals("cards") ? "(invalid key reference)" : ref, d.keyId());
      assertTrue(d.getMessage().contains(file.getFileName().toString()), d.getMessage());
      expect(KeyNotFoundException.class, () -> keyring.generateDataKey(ref, DEK_ID, context));
    }
    WrappedKey wrapped = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    expect(KeyNotFoundException.class, () -> keyring.reEncrypt(wrapped, context, "alias/nope"));
    expect(KeyNotFoundException.class, () -> keyring.decrypt(new WrappedKey("alias/nope", wrapped.blob()), DEK_ID, context));
    expect(KeyNotFoundException.class, () -> keyring.rotate("alias/nope"));
    expect(KeyNotFoundException.class, () -> keyring.disable("alias/nope"));
  }

  @Test
  void aMalformedReferenceOrAliasIsDescribedNeverQuoted() {
    String pasted = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"; // a secret pasted in the wrong field
    KeyNotFoundException e = expect(KeyNotFoundException.class, () -> keyring.generateDataKey(pasted, DEK_ID, context));
    assertEquals("GenerateDataKey on key (invalid key reference): not a key id, key ARN, alias name or alias ARN (40 characters)"
        + " (local keyring " + file.toAbsolutePath() + ")", e.getMessage());
    IllegalArgumentException alias = assertThrows(IllegalArgumentException.class, () -> keyring.createKey(pasted, "x"));
    assertEquals("Cannot use the alias given (40 characters): an alias is alias/<name> with letters, digits, '/', '_' or '-',"
        + " at most 256 characters", alias.getMessage());
    for (Throwable t : List.of(e, alias, expect(KeyNotFoundException.class, () -> keyring.rotate(pasted)),
        assertThrows(IllegalArgumentException.class, () -> keyring.createAlias(pasted, cards.keyArn())))) {
      assertFalse(t.getMessage().contains("wJalr"), t.getMessage());
    }
  }

  @Test
  void aliasesAreUniqueAndFollowKmsRules() {
    KeyDescription loans = keyring.createKey(null, "loans");
    expect(AliasExistsException.class, () -> keyring.createKey("alias/cards", "again"));
    expect(AliasExistsException.class, () -> keyring.createAlias("cards", loans.keyArn()));
    assertThrows(IllegalArgumentException.class, () -> keyring.createAlias("alias/aws/kms", loans.keyArn()));
    assertThrows(IllegalArgumentException.class, () -> keyring.createKey("bad alias", "x"));
    assertEquals(loans.keyArn(), keyring.createAlias("loans", keyId(loans)).keyArn(), "a bare name gets alias/");
    assertEquals(loans.keyArn(), keyring.describeKey("alias/loans").keyArn());
    assertEquals(cards.keyArn(), keyring.describeKey("alias/cards").keyArn(), "the failed calls changed nothing");
  }

  // ---- Rotation and ReEncrypt

  @Test
  void rotationKeepsOldVersionsAndWrapsNewDeksUnderTheNewest() {
    GeneratedDataKey before = keyring.generateDataKey("alias/cards", DEK_ID, context);
    assertEquals(1, LocalKeyBlob.keyVersionOf(before.wrapped().blob()));

    LocalKeyInfo rotated = keyring.rotate("alias/cards");
    assertEquals(2, rotated.currentVersion());
    assertEquals(2, rotated.versionCount());
    assertEquals(cards.keyArn(), rotated.keyArn());

    try (OpeningKey old = keyring.decrypt(before.wrapped(), DEK_ID, context)) {
      assertTrue(old.sameKeyAs(before.plaintext()), "v1 still decrypts");
    }
    GeneratedDataKey after = keyring.generateDataKey("alias/cards", DEK_ID, context);
    assertEquals(2, LocalKeyBlob.keyVersionOf(after.wrapped().blob()));

    WrappedKey moved = keyring.reEncrypt(before.wrapped(), context, "alias/cards");
    assertEquals(cards.keyArn(), moved.keyArn());
    assertEquals(2, LocalKeyBlob.keyVersionOf(moved.blob()));
    try (OpeningKey d = keyring.decrypt(moved, DEK_ID, context)) {
      assertTrue(d.sameKeyAs(before.plaintext()), "ReEncrypt keeps the DEK");
    }
  }

  @Test
  void rotationSurvivesReopening() {
    WrappedKey v1 = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    keyring.rotate(cards.keyArn());
    keyring.rotate(cards.keyArn());
    try (LocalKeyring reopened = LocalKeyring.open(file)) {
      assertEquals(3, LocalKeyBlob.keyVersionOf(reopened.generateDataKey("alias/cards", DEK_ID, context).wrapped().blob()));
      reopened.decrypt(v1, DEK_ID, context).destroy();
    }
  }

  @Test
  void reEncryptMovesTheDekToAnotherKey() {
    KeyDescription loans = keyring.createKey("alias/loans", "loans");
    GeneratedDataKey generated = keyring.generateDataKey("alias/cards", DEK_ID, context);
    WrappedKey moved = keyring.reEncrypt(generated.wrapped(), context, "alias/loans");
    assertEquals(loans.keyArn(), moved.keyArn());
    assertEquals(UUID.fromString(keyId(loans)), LocalKeyBlob.keyIdOf(moved.blob()));
    try (OpeningKey d = keyring.decrypt(moved, DEK_ID, context)) {
      assertTrue(d.sameKeyAs(generated.plaintext()));
    }
    expect(KeyMismatchException.class, () -> keyring.decrypt(new WrappedKey(cards.keyArn(), moved.blob()), DEK_ID, context));
  }

  // ---- Key states

  @Test
  void aDisabledKeyRefusesEveryCryptoOperationUntilEnabled() {
    KeyDescription loans = keyring.createKey("alias/loans", "loans");
    WrappedKey wrapped = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    WrappedKey underLoans = keyring.generateDataKey("alias/loans", DEK_ID, context).wrapped();

    assertEquals(KeyState.DISABLED, keyring.disable("alias/cards").state());
    assertEquals(KeyState.DISABLED, keyring.describeKey(cards.keyArn()).state());
    assertEquals("GenerateDataKey", expect(KeyDisabledException.class,
        () -> keyring.generateDataKey("alias/cards", DEK_ID, context)).operation());
    assertEquals("Decrypt", expect(KeyDisabledException.class, () -> keyring.decrypt(wrapped, DEK_ID, context)).operation());
    assertEquals("ReEncrypt", expect(KeyDisabledException.class,
        () -> keyring.reEncrypt(wrapped, context, loans.keyArn())).operation(), "disabled source");
    assertEquals("ReEncrypt", expect(KeyDisabledException.class,
        () -> keyring.reEncrypt(underLoans, context, "alias/cards")).operation(), "disabled destination");
    expect(KeyDisabledException.class, () -> keyring.rotate("alias/cards"));
    try (LocalKeyring reopened = LocalKeyring.open(file)) {
      assertEquals(KeyState.DISABLED, reopened.describeKey("alias/cards").state(), "the state is in the file");
    }

    assertEquals(KeyState.ENABLED, keyring.enable("alias/cards").state());
    keyring.decrypt(wrapped, DEK_ID, context).destroy();
    keyring.generateDataKey("alias/cards", DEK_ID, context).plaintext().destroy();
    keyring.reEncrypt(wrapped, context, loans.keyArn());
    keyring.reEncrypt(underLoans, context, "alias/cards");
  }

  @Test
  void aKeyPendingDeletionCanBeNeitherUsedNorEnabled() {
    WrappedKey wrapped = keyring.generateDataKey("alias/cards", DEK_ID, context).wrapped();
    keyring.close();
    ObjectNode tree = KeyringSecrets.tree(file);
    ((ObjectNode) tree.get("keys").get(0)).put("keyState", "PendingDeletion");
    KeyringSecrets.writeTree(file, tree);
    keyring = LocalKeyring.open(file);

    assertEquals(KeyState.PENDING_DELETION, keyring.describeKey("alias/cards").state());
    expect(KeyDisabledException.class, () -> keyring.generateDataKey("alias/cards", DEK_ID, context));
    expect(KeyDisabledException.class, () -> keyring.decrypt(wrapped, DEK_ID, context));
    expect(KeyDisabledException.class, () -> keyring.enable("alias/cards"));
    expect(KeyDisabledException.class, () -> keyring.disable("alias/cards"));
  }

  // ---- Admin listing, lifecycle, threads

  @Test
  void listKeysShowsAliasesAndVersionsButNoMaterial() {
    KeyDescription loans = keyring.createKey(null, "loans");
    keyring.createAlias("alias/loans-b", loans.keyArn());
    keyring.createAlias("alias/loans-a", loans.keyArn());
    keyring.rotate(loans.keyArn());
    List<LocalKeyInfo> keys = keyring.listKeys();
    assertEquals(2, keys.size());
    assertEquals(List.of("alias/cards"), keys.get(0).aliases());
    assertEquals(1, keys.get(0).versionCount());
    assertEquals("cards master key", keys.get(0).description());
    assertEquals(List.of("alias/loans-a", "alias/loans-b"), keys.get(1).aliases());
    assertEquals(2, keys.get(1).versionCount());
    assertEquals(2, keys.get(1).currentVersion());
    assertEquals(KeyState.ENABLED, keys.get(1).state());
    List<String> materials = KeyringSecrets.materials(file);
    assertEquals(3, materials.size());
    for (LocalKeyInfo k : keys) {
      for (String m : materials) {
        assertFalse(k.toString().contains(m));
      }
    }
    assertFalse(keyring.toString().contains(materials.get(0)));
  }

  @Test
  void aClosedKeyringRefusesWork() {
    keyring.close();
    assertThrows(IllegalStateException.class, () -> keyring.generateDataKey("alias/cards", DEK_ID, context));
    assertThrows(IllegalStateException.class, () -> keyring.describeKey("alias/cards"));
    assertThrows(IllegalStateException.class, () -> keyring.rotate("alias/cards"));
    keyring.close(); // idempotent
  }

  @Test
  void tasksOnManyThreadsShareOneKeyringWhileItRotates() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        tasks.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 150; i++) {
            GeneratedDataKey g = keyring.generateDataKey("alias/cards", DEK_ID, context);
            try (OpeningKey d = keyring.decrypt(g.wrapped(), DEK_ID, context)) {
              ok += d.sameKeyAs(g.plaintext()) ? 1 : 0;
            }
            g.plaintext().destroy();
          }
          return ok;
        }));
      }
      Future<?> rotations = pool.submit(() -> {
        for (int i = 0; i < 5; i++) {
          keyring.rotate("alias/cards");
        }
      });
      rotations.get(30, TimeUnit.SECONDS);
      for (Future<Integer> f : tasks) {
        assertEquals(150, f.get(30, TimeUnit.SECONDS));
      }
      assertEquals(6, keyring.listKeys().get(0).currentVersion());
    } finally {
      pool.shutdownNow();
    }
  }
}
