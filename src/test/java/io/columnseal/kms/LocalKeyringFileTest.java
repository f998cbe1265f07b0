package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyring file: format checks, owner-only permissions, atomic writes, concurrent writers. */
class LocalKeyringFileTest {
  private static final String OWNER_ONLY = "rw-------";
  private static final EncryptionContext CONTEXT = EncryptionContext.of(Map.of("columnseal:dataset", "cards"));

  @TempDir Path dir;

  private Path keyringWithKeys() {
    Path file = dir.resolve("test.keyring.json");
    try (LocalKeyring keyring = LocalKeyring.createOrOpen(file)) {
      keyring.createKey("alias/cards", "cards");
      keyring.createKey("alias/loans", "loans");
      keyring.rotate("alias/loans");
    }
    return file;
  }

  private static String permissions(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  // ---- Opening and creating

  @Test
  void openingAMissingFileSaysSoAndCreatesNothing() throws IOException {
    Path missing = dir.resolve("missing.keyring.json");
    KeyNotFoundException e = assertThrows(KeyNotFoundException.class, () -> LocalKeyring.open(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertEquals(Set.of(), names(dir));
  }

  @Test
  void createOrOpenMakesAnOwnerOnlyKeyringThatSaysItIsNotForProduction() throws IOException {
    Path file = dir.resolve("sub/dev.keyring.json");
    try (LocalKeyring keyring = LocalKeyring.createOrOpen(file)) {
      assertEquals(List.of(), keyring.listKeys());
    }
    assertEquals(OWNER_ONLY, permissions(file));
    assertEquals(OWNER_ONLY, permissions(dir.resolve("sub/dev.keyring.json.lock")));
    ObjectNode tree = KeyringSecrets.tree(file);
    assertEquals("columnseal-local-keyring", tree.get("format").asText());
    assertEquals(1, tree.get("formatVersion").asInt());
    assertTrue(tree.get("warning").asText().startsWith("LOCAL DEVELOPMENT AND TESTS ONLY"), tree.get("warning").asText());
    assertEquals(0, tree.get("keys").size());
  }

  @Test
  void createOrOpenKeepsAnExistingKeyring() {
    Path file = keyringWithKeys();
    try (LocalKeyring again = LocalKeyring.createOrOpen(file)) {
      assertEquals(2, again.listKeys().size());
    }
  }

  @Test
  void theFileHoldsWhatTheFormatSays() {
    Path file = keyringWithKeys();
    ObjectNode tree = KeyringSecrets.tree(file);
    JsonNode loans = tree.get("keys").get(1);
    String id = loans.get("keyId").asText();
    assertEquals("arn:aws:kms:local:000000000000:key/" + id, loans.get("arn").asText());
    assertEquals("Enabled", loans.get("keyState").asText());
    assertEquals(2, loans.get("currentVersion").asInt());
    assertEquals(2, loans.get("versions").get(1).get("version").asInt());
    assertEquals(44, loans.get("versions").get(1).get("material").asText().length(), "32 bytes in base64");
    assertEquals(id, tree.get("aliases").get("alias/loans").asText());
  }

  // ---- Permissions and atomic writes

  @Test
  void theKeyringStaysOwnerOnlyAfterEveryChange() throws IOException {
    Path file = keyringWithKeys();
    assertEquals(OWNER_ONLY, permissions(file));
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      keyring.rotate("alias/cards");
      assertEquals(OWNER_ONLY, permissions(file));
      keyring.disable("alias/cards");
      assertEquals(OWNER_ONLY, permissions(file));
    }
    assertEquals(Set.of("test.keyring.json", "test.keyring.json.lock"), names(dir), "no temporary file is left");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw--w----", "rw------x", "rw-rw-rw-"})
  void aKeyringThatGroupOrOthersCanReadOrWriteIsRefused(String mode) throws IOException {
    Path file = keyringWithKeys();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    byte[] before = Files.readAllBytes(file);
    for (Executable opening : List.<Executable>of(() -> LocalKeyring.open(file), () -> LocalKeyring.createOrOpen(file))) {
      InsecureKeyringException e = assertThrows(InsecureKeyringException.class, opening);
      assertEquals("OpenKeyring on key -: local keyring " + file.toAbsolutePath() + " has mode " + mode
          + ": group or others may read or write the master keys in it; refusing to use it (run chmod 600 "
          + file.toAbsolutePath() + ")", e.getMessage());
    }
    assertArrayEquals(before, Files.readAllBytes(file), "a refused keyring is not rewritten");
    assertEquals(mode, permissions(file), "nor silently tightened");
  }

  @Test
  void anOpenKeyringRefusesAdminCallsOnceTheFileIsLoosened() throws IOException {
    Path file = keyringWithKeys();
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
      InsecureKeyringException e = assertThrows(InsecureKeyringException.class, () -> keyring.rotate("alias/cards"));
      assertTrue(e.getMessage().startsWith("RotateKeyOnDemand on key -: local keyring " + file.toAbsolutePath()
          + " has mode rw-rw-rw-"), e.getMessage());
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      assertEquals(2, keyring.rotate("alias/cards").currentVersion(), "chmod 600 is the fix");
    }
  }

  @Test
  void aFailedWriteLeavesTheOldKeyringAndTheOpenSnapshotIntact() throws IOException {
    // A keyring name so long that the temporary file beside it (the name plus a prefix and a
    // suffix) exceeds the file system's 255-byte limit: the write fails before the rename,
    // even for root, whom read-only directories do not stop.
    Path file = dir.resolve("k".repeat(235) + ".json");
    Files.write(file, Files.readAllBytes(keyringWithKeys()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(OWNER_ONLY));
    byte[] before = Files.readAllBytes(file);
    Set<String> namesBefore = names(dir);
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      KeyUnavailableException e = assertThrows(KeyUnavailableException.class, () -> keyring.createKey("alias/new", "new"));
      assertInstanceOf(FileSystemException.class, e.getCause());
      assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
      assertThrows(KeyUnavailableException.class, () -> keyring.rotate("alias/cards"));
      assertArrayEquals(before, Files.readAllBytes(file));
      Set<String> namesAfter = names(dir);
      namesAfter.remove(file.getFileName() + ".lock");
      assertEquals(namesBefore, namesAfter, "no temporary file is left");
      // The snapshot in memory was not touched by the failed attempts.
      assertEquals(1, LocalKeyBlob.keyVersionOf(
          keyring.generateDataKey("alias/cards", DekId.fromLong(1), CONTEXT).wrapped().blob()));
      assertThrows(KeyNotFoundException.class, () -> keyring.describeKey("alias/new"));
    }
  }

  @Test
  void readersNeverSeeAHalfWrittenKeyring() throws Exception {
    Path file = keyringWithKeys();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> reader = pool.submit(() -> {
        int reads = 0;
        while (writing.get() || reads == 0) {
          try (LocalKeyring snapshot = LocalKeyring.open(file)) {
            reads += snapshot.describeKey("alias/cards").enabled() ? 1 : 0;
          }
        }
        return reads;
      });
      try (LocalKeyring writer = LocalKeyring.open(file)) {
        for (int i = 0; i < 40; i++) {
          writer.rotate("alias/cards");
        }
      } finally {
        writing.set(false);
      }
      assertTrue(reader.get(30, TimeUnit.SECONDS) > 0);
    } finally {
      pool.shutdownNow();
    }
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      assertEquals(41, keyring.listKeys().get(0).versionCount());
    }
  }

  @Test
  void writersInTwoKeyringObjectsDoNotLoseEachOthersKeys() throws Exception {
    Path file = keyringWithKeys();
    int perWriter = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        writers.add(pool.submit(() -> {
          // Each writer has its own object (as two processes would) and so its own snapshot.
          try (LocalKeyring keyring = LocalKeyring.open(file)) {
            start.await();
            for (int i = 0; i < perWriter; i++) {
              keyring.createKey("alias/" + name + i, name);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      assertEquals(2 + 2 * perWriter, keyring.listKeys().size());
      for (int i = 0; i < perWriter; i++) {
        assertEquals(KeyState.ENABLED, keyring.describeKey("alias/a" + i).state());
        assertEquals(KeyState.ENABLED, keyring.describeKey("alias/b" + i).state());
      }
    }
  }

  // ---- Corrupt keyrings

  static Stream<Arguments> corruptions() {
    return Stream.of(
        Arguments.of("truncated", bytes(b -> Arrays.copyOf(b, b.length / 2)), "not valid or complete JSON"),
        Arguments.of("empty", bytes(b -> new byte[0]), "is empty"),
        Arguments.of("not JSON", bytes(b -> "hello keyring".getBytes(StandardCharsets.UTF_8)), "not valid or complete JSON"),
        Arguments.of("trailing garbage", bytes(b -> (new String(b, StandardCharsets.UTF_8) + " }").getBytes(StandardCharsets.UTF_8)),
            "not valid or complete JSON"),
        Arguments.of("duplicate field", bytes(b -> new String(b, StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\"formatVersion\": 1,").getBytes(StandardCharsets.UTF_8)), "not valid or complete JSON"),
        // The parser quotes an unquoted token in its own message: the material must not follow.
        Arguments.of("unquoted material", bytes(b -> new String(b, StandardCharsets.UTF_8)
            .replaceFirst("(\"material\" : )\"([^\"]+)\"", "$1$2").getBytes(StandardCharsets.UTF_8)),
            "not valid or complete JSON"),
        Arguments.of("a JSON array", bytes(b -> "[]".getBytes(StandardCharsets.UTF_8)), "not a JSON object"),
        Arguments.of("another format", tree(t -> t.put("format", "something-else")), "not a columnseal local keyring"),
        Arguments.of("unknown format version", tree(t -> t.put("formatVersion", 3)), "format version 3"),
        Arguments.of("no format version", tree(t -> t.remove("formatVersion")), "no integer formatVersion"),
        Arguments.of("bad base64", version(v -> v.put("material", "not*base64!")), "material is not valid base64"),
        Arguments.of("16-byte key", version(v -> v.put("material", KeyringSecrets.base64(new byte[16]))), "is 16 bytes"),
        Arguments.of("no current version", key(k -> k.remove("currentVersion")), "misses field keys[0].currentVersion"),
        Arguments.of("current version out of range", key(k -> k.put("currentVersion", 9)), "currentVersion is 9"),
        Arguments.of("versions out of order", version(v -> v.put("version", 3)), "numbered 1, 2, 3"),
        Arguments.of("unknown state", key(k -> k.put("keyState", "Unavailable")), "keyState must be"),
        Arguments.of("key id not a UUID", key(k -> k.put("keyId", "cards")), "keyId is not a UUID"),
        Arguments.of("ARN of another key", key(k -> k.put("arn", "arn:aws:kms:local:000000000000:key/x")), "arn is not"),
        Arguments.of("no keys array", tree(t -> t.remove("keys")), "misses field keys"),
        Arguments.of("the same key twice", tree(t -> ((ArrayNode) t.get("keys")).add(t.get("keys").get(0).deepCopy())),
            "twice"),
        Arguments.of("malformed alias name", tree(t -> ((ObjectNode) t.get("aliases"))
            .put("alias/not a secret", t.get("keys").get(0).get("keyId").asText())),
            "field aliases has a name of 18 characters that is not a valid alias/<name>"),
        Arguments.of("alias to an unknown key", tree(t -> ((ObjectNode) t.get("aliases"))
            .put("alias/ghost", "00000000-0000-0000-0000-000000000000")), "does not name a key id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void aCorruptKeyringIsRefusedWithoutShowingMaterial(String name, UnaryOperator<byte[]> corrupt, String detail)
      throws IOException {
    Path file = keyringWithKeys();
    List<String> materials = KeyringSecrets.materials(file);
    byte[] bad = corrupt.apply(Files.readAllBytes(file));
    Files.write(file, bad);

    CorruptKeyringException e = assertThrows(CorruptKeyringException.class, () -> LocalKeyring.open(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
    KeyringSecrets.assertShowsNone(e, materials);

    assertThrows(CorruptKeyringException.class, () -> LocalKeyring.createOrOpen(file));
    assertArrayEquals(bad, Files.readAllBytes(file), "createOrOpen must not overwrite a corrupt keyring");
  }

  @Test
  void anAdminCallOnAKeyringCorruptedUnderneathFailsAndKeepsTheSnapshot() throws IOException {
    Path file = keyringWithKeys();
    try (LocalKeyring keyring = LocalKeyring.open(file)) {
      Files.write(file, "{".getBytes(StandardCharsets.UTF_8));
      assertThrows(CorruptKeyringException.class, () -> keyring.createKey(null, "x"));
      keyring.generateDataKey("alias/loans", DekId.fromLong(2), CONTEXT).plaintext().destroy();
    }
  }

  private static UnaryOperator<byte[]> bytes(UnaryOperator<byte[]> f) {
    return f;
  }

  private static UnaryOperator<byte[]> tree(Consumer<ObjectNode> edit) {
    return b -> {
      try {
        ObjectNode t = (ObjectNode) KeyringSecrets.JSON.readTree(b);
        edit.accept(t);
        return KeyringSecrets.JSON.writeValueAsBytes(t);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static UnaryOperator<byte[]> key(Consumer<ObjectNode> edit) {
    return tree(t -> edit.accept((ObjectNode) t.get("keys").get(0)));
  }

  private static UnaryOperator<byte[]> version(Consumer<ObjectNode> edit) {
    return tree(t -> edit.accept((ObjectNode) t.get("keys").get(0).get("versions").get(0)));
  }
}
