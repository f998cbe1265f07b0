package io.columnseal.jobs.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.crypto.protect.DomainKeyBytes;
import io.columnseal.kms.InvalidCiphertextException;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.KmsException;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.kms.testserver.LoggedRequest;
import io.columnseal.manifest.DomainRecord;
import io.columnseal.manifest.DomainStore;
import io.columnseal.manifest.DomainRecordCodec;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainKeysTest {
  @TempDir
  java.nio.file.Path tmp;

  private DomainBackends backend(String which) {
    return which.equals("aws") ? DomainBackends.aws() : DomainBackends.local(tmp);
  }

  private DomainStore store() {
    return DomainStore.at(new Path(tmp.resolve("domains").toUri()), new Configuration());
  }

  private static DomainKeyCache freshCache() {
    return new DomainKeyCache(Clock.systemUTC(), 100, Duration.ofMinutes(1), Duration.ofMinutes(10));
  }

  private DomainKeys keys(DomainBackends b, String trustedArn) {
    return new DomainKeys(store(), b.kms(), TrustedKeys.defaultFor(List.of(trustedArn)), freshCache());
  }

  /** Issue case: a second dataset (a second writer, its own JVM cache) gets the first one's key. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void theFirstWriterCreatesAndASecondDatasetGetsTheSameKey(String which) {
    try (DomainBackends b = backend(which)) {
      String a = b.createKey("pan");
      try (DomainKeyCache.Lease first = keys(b, a).openOrCreate("pan", a, null);
          DomainKeyCache.Lease second = keys(b, a).openOrCreate("pan", a, null);
          DomainKeyCache.Lease reader = keys(b, a).open("pan", first.key().id())) {
        assertTrue(DomainKeyBytes.same(first.key(), second.key()));
        assertTrue(DomainKeyBytes.same(first.key(), reader.key()));
        assertEquals("pan", first.key().domain());
      }
      assertEquals(1, store().history("pan").size());
      assertEquals(a, store().latest("pan").orElseThrow().keyArn());
      // Another domain is another key.
      try (DomainKeyCache.Lease pan = keys(b, a).openOrCreate("pan", a, null);
          DomainKeyCache.Lease other = keys(b, a).openOrCreate(DomainKeys.defaultDomain("cards", "name"), a, null)) {
        assertNotEquals(pan.key().id(), other.key().id());
      }
      assertTrue(Files.isDirectory(tmp.resolve("domains").resolve("cards%2Fname")));
    }
  }

  /** Issue case: writers racing on a new domain end with one record and all use its key. */
  @Test
  void writersRacingOnANewDomainEndWithOneRecordAndOneKey() throws Exception {
    try (DomainBackends b = DomainBackends.local(tmp)) {
      String a = b.createKey("pan");
      int n = 4;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(n);
      List<Future<DomainKeyCache.Lease>> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        got.add(pool.submit(() -> {
          start.await();
          return keys(b, a).openOrCreate("race", a, null);
        }));
      }
      start.countDown();
      List<DomainKey> ks = new ArrayList<>();
      for (Future<DomainKeyCache.Lease> f : got) {
        ks.add(f.get().key());
      }
      pool.shutdown();
      for (DomainKey k : ks) {
        assertTrue(DomainKeyBytes.same(ks.get(0), k));
      }
      assertEquals(1, store().history("race").size());
      assertEquals(ks.get(0).id(), store().latest("race").orElseThrow().domainKeyId());
    }
  }

  /** Issue case: a record under a key kms.allowedKeys does not allow is refused before any KMS call. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aRecordUnderAnUntrustedKeyIsRefusedBeforeAnyKmsCall(String which) {
    try (DomainBackends b = backend(which)) {
      String a = b.createKey("pan");
      String other = b.createKey("other");
      DekId id;
      try (DomainKeyCache.Lease l = keys(b, a).openOrCreate("pan", a, null)) {
        id = l.key().id();
      }
      int before = b.calls();
      DomainKeys strict = new DomainKeys(store(), b.kms(), TrustedKeys.of(List.of(other)), freshCache());
      UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> strict.open("pan", id));
      assertTrue(e.getMessage().startsWith("domain pan: its key is wrapped under master key " + a), e.getMessage());
      assertEquals(before, b.calls());
    }
  }

  /** Issue case: a record whose key id is not the one the dataset's manifest records is refused. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aRecordNamingAnotherKeyIdThanTheManifestIsRefused(String which) {
    try (DomainBackends b = backend(which)) {
      String a = b.createKey("pan");
      DekId id;
      try (DomainKeyCache.Lease l = keys(b, a).openOrCreate("pan", a, null)) {
        id = l.key().id();
      }
      int before = b.calls();
      DekId manifests = DekId.fromLong(id.asLong() ^ 1);
      DomainKeyException e = assertThrows(DomainKeyException.class, () -> keys(b, a).open("pan", manifests));
      assertTrue(e.getMessage().contains("names domain key " + id + " but the dataset's manifest records " + manifests),
          e.getMessage());
      assertThrows(DomainKeyException.class, () -> keys(b, a).openOrCreate("pan", a, manifests));
      assertThrows(DomainKeyException.class, () -> keys(b, a).open("absent", id));
      assertEquals(before, b.calls());
    }
  }

  /** Issue case: a blob moved from another domain's record (same id, context rewritten) fails in KMS. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aBlobSwappedInFromAnotherDomainIsRefusedByKms(String which) throws Exception {
    try (DomainBackends b = backend(which)) {
      String a = b.createKey("pan");
      keys(b, a).openOrCreate("names", a, null).close();
      DomainRecord names = store().latest("names").orElseThrow();
      // A forged, well-formed record 1 of "pan" carrying the names domain's blob and key id.
      DomainRecord forged = new DomainRecord("pan", names.domainKeyId(), names.wrapped(),
          io.columnseal.kms.EncryptionContext.forDomain("pan", names.domainKeyId().hex()), 1, names.created(), null, "");
      forged = new DomainRecord("pan", forged.domainKeyId(), forged.wrapped(), forged.encryptionContext(), 1,
          forged.created(), null, DomainRecordCodec.digestOf(forged));
      Files.createDirectories(tmp.resolve("domains").resolve("pan"));
      Files.write(tmp.resolve("domains").resolve("pan").resolve("00000000000000000001.json"), DomainRecordCodec.write(forged));
      DomainKeys reader = keys(b, a);
      KmsException e = assertThrows(KmsException.class, () -> reader.open("pan", names.domainKeyId()));
      assertTrue(e instanceof InvalidCiphertextException, e.toString());
      assertTrue(e.getMessage().contains("domain pan key " + names.domainKeyId()), e.getMessage());
      assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString(names.wrapped().blob())));
    }
  }

  /** Issue case: rewrap writes record 2 under key B; with A disabled the domain key still opens, unchanged. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "aws"})
  void aRewrapMovesTheDomainKeyToTheNewMasterKey(String which) {
    try (DomainBackends b = backend(which)) {
      String a = b.createKey("pan-a");
      String bKey = b.createKey("pan-b");
      try (DomainKeyCache.Lease original = keys(b, a).openOrCreate("pan", a, null)) {
        DomainRewrap.Result dry = new DomainRewrap(store(), b.kms(), TrustedKeys.defaultFor(List.of(a))).rewrap("pan", bKey, true);
        assertTrue(dry.dryRun());
        assertEquals(1, store().history("pan").size());
        DomainRewrap.Result r = new DomainRewrap(store(), b.kms(), TrustedKeys.defaultFor(List.of(a))).rewrap("pan", bKey, false);
        assertEquals(2, r.newRecord());
        assertEquals(a, r.fromKeyArn());
        assertEquals(bKey, r.toKeyArn());
        DomainRecord two = store().latest("pan").orElseThrow();
        assertEquals(2, two.number());
        assertEquals(bKey, two.keyArn());
        assertEquals(original.key().id(), two.domainKeyId());
        b.disable(a);
        try (DomainKeyCache.Lease after = keys(b, a).open("pan", original.key().id())) {
          assertTrue(DomainKeyBytes.same(original.key(), after.key()));
        }
        // Record 1 alone no longer opens: its master key is disabled.
        assertThrows(KeyDisabledException.class, () -> b.kms().decryptDomainKey(store().history("pan").get(0).wrapped(),
            "pan", two.domainKeyId(), two.encryptionContext()));
      }
    }
  }

  /** Issue case: a principal allowed only ReEncrypt (and DescribeKey) rewraps a domain. */
  @Test
  void aReEncryptOnlyPrincipalRewrapsADomain() {
    try (DomainBackends.Aws b = DomainBackends.aws(); KeyService rewrapper = b.as("AKIDTESTREWRAP")) {
      String a = b.createKey("pan-a");
      String bKey = b.createKey("pan-b");
      keys(b, a).openOrCreate("pan", a, null).close();
      b.server.permissions().restrict("AKIDTESTREWRAP", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:DescribeKey");
      b.server.log().clear();
      DomainRewrap.Result r = new DomainRewrap(store(), rewrapper, TrustedKeys.defaultFor(List.of(a))).rewrap("pan", bKey, false);
      assertEquals(2, r.newRecord());
      assertEquals(2, b.server.log().count("ReEncrypt", LoggedRequest.OK));
      assertEquals(0, b.server.log().of("Decrypt").size());
      assertEquals(0, b.server.log().of("GenerateDataKey").size());
    }
  }

  /** Rewrap refuses a target key outside kms.allowedKeys, before any ReEncrypt. */
  @Test
  void aRewrapToAnUntrustedKeyIsRefused() {
    try (DomainBackends.Aws b = DomainBackends.aws()) {
      String a = b.createKey("pan-a");
      String bKey = b.createKey("pan-b");
      keys(b, a).openOrCreate("pan", a, null).close();
      b.server.log().clear();
      assertThrows(UntrustedKeyException.class,
          () -> new DomainRewrap(store(), b.kms(), TrustedKeys.of(List.of(a))).rewrap("pan", bKey, false));
      assertEquals(0, b.server.log().of("ReEncrypt").size());
      assertEquals(1, store().history("pan").size());
    }
  }

  /** Issue case: a second unwrap in one JVM makes no KMS call; a second principal without Decrypt is denied. */
  @Test
  void theCacheUnwrapsOncePerPrincipalAndNeverHandsAKeyToAnother() {
    try (DomainBackends.Aws b = DomainBackends.aws(); KeyService intruder = b.as("AKIDTESTINTRUDER")) {
      String a = b.createKey("pan");
      DekId id;
      try (DomainKeyCache.Lease l = keys(b, a).openOrCreate("pan", a, null)) {
        id = l.key().id();
      }
      b.server.permissions().restrict("AKIDTESTINTRUDER", "kms:DescribeKey");
      b.server.log().clear();
      DomainKeyCache shared = freshCache();
      TrustedKeys t = TrustedKeys.defaultFor(List.of(a));
      try (DomainKeyCache.Lease one = new DomainKeys(store(), b.kms(), t, shared).open("pan", id);
          DomainKeyCache.Lease two = new DomainKeys(store(), b.kms(), t, shared).open("pan", id)) {
        assertTrue(one.key() == two.key());
        assertEquals(1, b.server.log().count("Decrypt", LoggedRequest.OK));
        KmsAccessDeniedException denied = assertThrows(KmsAccessDeniedException.class,
            () -> new DomainKeys(store(), intruder, t, shared).open("pan", id));
        assertTrue(denied.getMessage().contains("domain pan key " + id), denied.getMessage());
      }
      assertEquals(2, b.server.log().of("Decrypt").size());
      assertEquals("AccessDeniedException", b.server.log().of("Decrypt").get(1).outcome());
      shared.clear();
      assertEquals(0, shared.size());
    }
  }

  /** Driver resolves (no Decrypt), the serialized reference crosses to a task, which unwraps once per JVM cache. */
  @Test
  void aResolvedRecordShipsToTasksAndUnwrapsOncePerCache() throws Exception {
    try (DomainBackends.Aws b = DomainBackends.aws()) {
      String a = b.createKey("pan");
      WrappedDomainKey created = keys(b, a).resolveOrCreate("pan", a, null);
      assertEquals(1, created.recordNumber());
      b.server.log().clear();
      WrappedDomainKey ref = keys(b, a).resolve("pan", created.id());
      assertEquals(0, b.server.log().entries().size());

      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(ref);
      }
      WrappedDomainKey shipped;
      try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        shipped = (WrappedDomainKey) in.readObject();
      }
      DomainKeyCache executor = freshCache();
      try (DomainKeyCache.Lease one = shipped.open(b.kms(), executor);
          DomainKeyCache.Lease two = shipped.open(b.kms(), executor);
          DomainKeyCache.Lease direct = keys(b, a).open("pan", created.id())) {
        assertTrue(one.key() == two.key());
        assertTrue(DomainKeyBytes.same(one.key(), direct.key()));
      }
      assertEquals(2, b.server.log().count("Decrypt", LoggedRequest.OK)); // executor cache once, the other cache once
    }
  }

  /** A named domain needs encrypt.domainStore; an unnamed one lives beside the manifest. */
  @Test
  void theStoreIsConfiguredForNamedDomainsAndBesideTheManifestOtherwise() {
    Path manifest = new Path("/lake/cards/_columnseal");
    assertEquals(new Path("/lake/cards/_columnseal/domains"), DomainKeys.storeDir(null, manifest, "name", false));
    assertEquals(new Path("s3a://lake/_columnseal_domains"),
        DomainKeys.storeDir("s3a://lake/_columnseal_domains", manifest, "card_number", true));
    io.columnseal.ConfigException e = assertThrows(io.columnseal.ConfigException.class,
        () -> DomainKeys.storeDir(null, manifest, "card_number", true));
    assertEquals("column card_number names a token domain: set encrypt.domainStore to the domain store that every"
        + " dataset of that domain uses", e.getMessage());
    assertEquals("cards/name", DomainKeys.defaultDomain("cards", "name"));
  }

  /** A first writer whose new key KMS made under an untrusted master key writes no record. */
  @Test
  void aFirstWriterUnderAnUntrustedKeyWritesNoRecord() {
    try (DomainBackends b = DomainBackends.local(tmp)) {
      String a = b.createKey("pan");
      String other = b.createKey("other");
      DomainKeys strict = new DomainKeys(store(), b.kms(), TrustedKeys.of(List.of(other)), freshCache());
      UntrustedKeyException e = assertThrows(UntrustedKeyException.class, () -> strict.openOrCreate("pan", a, null));
      assertTrue(e.getMessage().startsWith("domain pan: its key is wrapped under master key " + a), e.getMessage());
      assertTrue(store().latest("pan").isEmpty());
    }
  }
}
