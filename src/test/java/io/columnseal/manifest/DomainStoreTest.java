package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainStoreTest {
  private static final String ARN_A = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000001";
  private static final String ARN_B = "arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-0000-0000-0000-000000000002";
  private static final DekId ID = DekId.fromLong(0x0011223344556677L);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

  @TempDir
  java.nio.file.Path tmp;

  private DomainStore store() {
    return DomainStore.at(new Path(tmp.toUri()), new Configuration(), CLOCK);
  }

  /** Known answer: the exact bytes of record 1 (docs/FORMAT.md, "Domain records", example). */
  @Test
  void recordOneHasKnownCanonicalBytes() throws Exception {
    DomainStore s = store();
    DomainRecord r = s.createFirst("pan", ID, new WrappedKey(ARN_A, new byte[] {1, 2, 3, 4})).orElseThrow();
    String expected = "{\"created\":\"2026-12-04T10:00:00Z\",\"digest\":\"" + r.digest() + "\",\"domain\":\"pan\","
        + "\"domainKeyId\":\"0011223344556677\",\"encryptionContext\":{\"columnseal:domain\":\"pan\","
        + "\"columnseal:domainKey\":\"0011223344556677\"},\"formatVersion\":1,\"keyArn\":\"" + ARN_A + "\","
        + "\"number\":1,\"parentDigest\":null,\"wrappedKey\":\"AQIDBA==\"}\n";
    byte[] bytes = Files.readAllBytes(tmp.resolve("pan").resolve("00000000000000000001.json"));
    assertEquals(expected, new String(bytes, StandardCharsets.UTF_8));
    assertEquals(KNOWN_DIGEST, r.digest());
    assertEquals(r, DomainRecordCodec.read(bytes, "f"));
    assertArrayEquals(bytes, DomainRecordCodec.write(r));
    // The same line is the example in docs/FORMAT.md section 11.2, with the key ARN shortened to <A>.
    String doc = Files.readString(java.nio.file.Path.of("docs", "FORMAT.md"));
    assertTrue(doc.contains("\n" + expected.replace(ARN_A, "<A>")), "FORMAT.md 11.2 example differs");
  }

  /** sha256sum of the canonical bytes without the digest member (checked outside Java). */
  static final String KNOWN_DIGEST = "526fdd6eb3d2a74925231278fe55ffca458850369a00bc3ffde5e77b16a9f5d2";

  @Test
  void namesAreEscapedSoDistinctDomainsNeverShareAFolder() {
    assertEquals("cards%2Fcard_number".replace("_", "%5F"), DomainStore.escape("cards/card_number"));
    assertEquals("%2E.hidden", DomainStore.escape("..hidden"));
    assertEquals("a%25b", DomainStore.escape("a%b"));
    assertEquals("caf%C3%A9", DomainStore.escape("café"));
    assertThrows(IllegalArgumentException.class, () -> DomainStore.escape(""));
  }

  @Test
  void aSecondCreateLosesAndTheFirstRecordStays() {
    DomainStore s = store();
    DomainRecord first = s.createFirst("pan", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    assertFalse(s.createFirst("pan", DekId.fromLong(9), new WrappedKey(ARN_B, new byte[] {2})).isPresent());
    assertEquals(first, s.latest("pan").orElseThrow());
    assertTrue(s.latest("other").isEmpty());
  }

  @Test
  void aRewrapChainsAndTheReaderTakesTheHighestRecord() {
    DomainStore s = store();
    DomainRecord first = s.createFirst("pan", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    DomainRecord second = s.appendRewrap(first, new WrappedKey(ARN_B, new byte[] {2}));
    assertEquals(2, second.number());
    assertEquals(first.digest(), second.parentDigest());
    assertEquals(ID, second.domainKeyId());
    assertEquals(second, s.latest("pan").orElseThrow());
    assertEquals(2, s.history("pan").size());
    assertThrows(DomainRecordConflictException.class, () -> s.appendRewrap(first, new WrappedKey(ARN_B, new byte[] {3})));
  }

  @Test
  void aTamperedRecordIsRefused() throws Exception {
    DomainStore s = store();
    s.createFirst("pan", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    java.nio.file.Path f = tmp.resolve("pan").resolve("00000000000000000001.json");
    String json = Files.readString(f);
    Files.writeString(f, json.replace(ARN_A, ARN_B));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> s.latest("pan"));
    assertTrue(e.getMessage().contains("digest"), e.getMessage());
  }

  @Test
  void aRecordWhoseParentDigestIsNotItsPredecessorsIsRefused() throws Exception {
    DomainStore s = store();
    s.createFirst("pan", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    DomainRecord forged = s.createFirst("other", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    // A well-formed record 2 of "pan" whose parent is not pan's record 1.
    DomainRecord bad = new DomainRecord("pan", ID, new WrappedKey(ARN_B, new byte[] {2}),
        EncryptionContext.forDomain("pan", ID.hex()), 2, CLOCK.instant(), forged.digest(), "");
    bad = new DomainRecord(bad.domain(), ID, bad.wrapped(), bad.encryptionContext(), 2, bad.created(), bad.parentDigest(),
        DomainRecordCodec.digestOf(bad));
    Files.write(tmp.resolve("pan").resolve("00000000000000000002.json"), DomainRecordCodec.write(bad));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> s.latest("pan"));
    assertTrue(e.getMessage().contains("parent digest"), e.getMessage());
  }

  @Test
  void aRecordOfAnotherDomainCopiedInIsRefused() throws Exception {
    DomainStore s = store();
    s.createFirst("other", ID, new WrappedKey(ARN_A, new byte[] {1})).orElseThrow();
    Files.createDirectories(tmp.resolve("pan"));
    Files.copy(tmp.resolve("other").resolve("00000000000000000001.json"), tmp.resolve("pan").resolve("00000000000000000001.json"));
    ManifestTamperedException e = assertThrows(ManifestTamperedException.class, () -> s.latest("pan"));
    assertTrue(e.getMessage().contains("domain other"), e.getMessage());
  }

  @Test
  void anUnknownFormatVersionIsRefused() {
    byte[] b = "{\"formatVersion\":2}\n".getBytes(StandardCharsets.UTF_8);
    assertThrows(UnsupportedManifestVersionException.class, () -> DomainRecordCodec.read(b, "f"));
  }
}
