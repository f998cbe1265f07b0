package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.WrappedKey;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Destroyable;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void dekRecordTakesWhatKmsReturnedAndGivesBackAWrappedKey() {
    DekId id = DekId.fromLong(42);
    WrappedKey fromKms = new WrappedKey(Fixtures.KEY_A, new byte[] {1, 2, 3});
    DekRecord d = DekRecord.builder().id(id).wrapped(fromKms)
        .encryptionContext(EncryptionContext.forDek("ds", id.hex(), Map.of())).cells(5).runId("r").created(Fixtures.T0)
        .build();
    assertEquals(fromKms, d.wrapped());
    assertEquals(EncryptionContext.forDek("ds", id.hex(), Map.of()), d.context());
    byte[] copy = d.wrappedKey();
    copy[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, d.wrappedKey(), "the record keeps its own copy");
    assertFalse(d.toString().contains(Base64.getEncoder().encodeToString(new byte[] {1, 2, 3})));
  }

  @Test
  void dekRecordRefusesAContextThatNamesAnotherDek() {
    DekId id = DekId.fromLong(42);
    DekRecord.Builder b = Fixtures.dek(42, Fixtures.KEY_A, "r").toBuilder()
        .encryptionContext(EncryptionContext.forDek("ds", DekId.fromLong(43).hex(), Map.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains(id.hex()), e.getMessage());
  }

  @Test
  void dekRecordRefusesMoreCellsThanGcmAllowsAndMissingFields() {
    DekRecord ok = Fixtures.dek(1, Fixtures.KEY_A, "r");
    assertEquals(CellFormat.MAX_CELLS_PER_DEK, ok.toBuilder().cells(CellFormat.MAX_CELLS_PER_DEK).build().cells());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().cells(CellFormat.MAX_CELLS_PER_DEK + 1).build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().cells(-1).build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().keyArn("").build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().wrappedKey(new byte[0]).build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().runId(null).build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().created(null).build());
    assertThrows(IllegalArgumentException.class, () -> ok.toBuilder().id(null).build());
  }

  @Test
  void rewrappedDekFromTheCurrentRecordAndTheReEncryptAnswer() {
    DekRecord current = Fixtures.dek(7, Fixtures.KEY_A, "r");
    WrappedKey answer = new WrappedKey(Fixtures.KEY_B, new byte[] {4, 5});
    RewrappedDek r = RewrappedDek.of(current, answer);
    assertEquals(current.id(), r.id());
    assertEquals(Fixtures.KEY_A, r.fromKeyArn());
    assertEquals(Fixtures.KEY_B, r.toKeyArn());
    assertEquals(answer, r.wrapped());
  }

  @Test
  void draftRefusesFilePathsThatLeaveTheDataset() {
    for (String bad : List.of("/abs/part-0.parquet", "../other/part-0.parquet", "a/../../b", "s3://bucket/part-0",
        "a//b", "a/./b", "dir/", "", "c:\\x")) {
      CommitDraft.Builder b = CommitDraft.builder(CommitKind.ENCRYPT, "ds", "r").addFile(bad);
      assertThrows(IllegalArgumentException.class, b::build, bad);
    }
    assertEquals(List.of("date=2026-11-22/part-0.parquet"),
        CommitDraft.builder(CommitKind.ENCRYPT, "ds", "r").addFile("date=2026-11-22/part-0.parquet").build().files());
  }

  @Test
  void draftRefusesNegativeStatsAndEmptyIds() {
    assertThrows(IllegalArgumentException.class, () -> CommitDraft.builder(CommitKind.ENCRYPT, "ds", "r").stat("rows", -1).build());
    assertThrows(IllegalArgumentException.class, () -> CommitDraft.builder(CommitKind.ENCRYPT, "", "r").build());
    assertThrows(IllegalArgumentException.class, () -> CommitDraft.builder(null, "ds", "r").build());
    assertThrows(IllegalArgumentException.class, () -> CommitDraft.builder(CommitKind.ENCRYPT, "ds", " ".trim()).build());
  }

  @Test
  void columnRecordsCompareByEveryField() {
    ColumnRecord c = ColumnRecord.of("amount", "decimal(12,2)", true, false);
    assertEquals(c, ColumnRecord.of("amount", "decimal(12,2)", true, false));
    assertNotEquals(c, ColumnRecord.of("amount", "decimal(12,3)", true, false));
    assertNotEquals(c, ColumnRecord.of("amount", "decimal(12,2)", false, false));
    assertNotEquals(c, ColumnRecord.of("amount", "decimal(12,2)", true, true));
    assertThrows(IllegalArgumentException.class, () -> ColumnRecord.of("amount", "", true, false));
  }

  /**
   * The manifest must never hold a plaintext key. Walk every field type reachable from the
   * model (generic arguments included): none is a SealingKey, an OpeningKey, a GeneratedDataKey, a JCE key or
   * anything destroyable, and none is Object (which could hold anything).
   */
  @Test
  void noModelFieldCanHoldAPlaintextKey() {
    Set<Class<?>> forbidden = Set.of(SealingKey.class, OpeningKey.class, GeneratedDataKey.class, Key.class, Destroyable.class, Object.class);
    Deque<Type> todo = new ArrayDeque<>(List.of(Commit.class, CommitDraft.class, ManifestState.class));
    Set<Type> seen = new HashSet<>();
    Set<Class<?>> reached = new HashSet<>();
    while (!todo.isEmpty()) {
      Type t = todo.pop();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof ParameterizedType) {
        todo.add(((ParameterizedType) t).getRawType());
        todo.addAll(List.of(((ParameterizedType) t).getActualTypeArguments()));
        continue;
      }
      Class<?> c = (Class<?>) t;
      reached.add(c);
      for (Class<?> bad : forbidden) {
        assertFalse(bad == Object.class ? c == Object.class : bad.isAssignableFrom(c), c + " could hold key material");
      }
      if (c.getPackageName().startsWith("io.columnseal")) {
        for (Field f : c.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers())) {
            todo.add(f.getGenericType());
          }
        }
      }
    }
    assertTrue(reached.containsAll(Set.of(DekRecord.class, RewrappedDek.class, ColumnRecord.class, DekId.class)), "walk reached the model");
  }

  /** Round trip a commit made from a GeneratedDataKey: its plaintext appears nowhere in the JSON. */
  @Test
  void aCommitBuiltFromAGeneratedKeyHoldsOnlyTheWrappedBlob() throws Exception {
    DekId id = DekId.fromLong(0x1234);
    byte[] plain = new byte[32];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) (0xA0 + i);
    }
    byte[] wrappedBlob = "kms-ciphertext-blob-of-the-dek".getBytes(StandardCharsets.US_ASCII);
    try (SealingKey key = SealingKey.of(id, plain)) {
      GeneratedDataKey generated = new GeneratedDataKey(key, new WrappedKey(Fixtures.KEY_A, wrappedBlob));
      DekRecord dek = DekRecord.builder().id(id).wrapped(generated.wrapped())
          .encryptionContext(EncryptionContext.forDek(Fixtures.DATASET, id.hex(), Map.of())).cells(3).runId("r")
          .created(Instant.EPOCH).build();
      Commit c = Commit.fromDraft(CommitDraft.builder(CommitKind.ENCRYPT, Fixtures.DATASET, "r")
          .schema(Fixtures.SCHEMA).addDek(dek).build(), 1, Instant.EPOCH, null).seal();
      byte[] json = CommitCodec.encode(c);
      String text = new String(json, StandardCharsets.UTF_8);
      assertFalse(text.contains(Base64.getEncoder().encodeToString(plain)));
      assertFalse(text.contains(HexFormat.of().formatHex(plain)));
      assertFalse(indexOf(json, plain) >= 0, "raw plaintext bytes in the JSON");
      assertTrue(text.contains(Base64.getEncoder().encodeToString(wrappedBlob)));
      Commit back = CommitCodec.decode(CanonicalJson.parse(json));
      assertArrayEquals(wrappedBlob, back.addedDeks().get(0).wrappedKey());
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
