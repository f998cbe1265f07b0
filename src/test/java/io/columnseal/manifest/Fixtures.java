package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Shared test data: a small card dataset, DEK records with fake blobs, stores on a temp dir. */
final class Fixtures {
  static final String DATASET = "cards_enc";
  static final String KEY_A = "arn:aws:kms:eu-west-1:111122223333:key/0f5e2d7c-1a2b-4c3d-8e9f-000000000001";
  static final String KEY_B = "arn:aws:kms:eu-west-1:111122223333:key/0f5e2d7c-1a2b-4c3d-8e9f-000000000002";
  static final Instant T0 = Instant.parse("2026-11-22T02:00:00Z");
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T02:15:30.250Z"), ZoneOffset.UTC);

  static final List<ColumnRecord> SCHEMA = List.of(
      ColumnRecord.of("txn_id", "bigint", false, false),
      ColumnRecord.of("card_number", "string", true, true),
      ColumnRecord.of("amount", "decimal(12,2)", true, false),
      ColumnRecord.of("booked_at", "timestamp", true, true));

  private Fixtures() {}

  static ManifestStore store(java.nio.file.Path tempDir) {
    return ManifestStore.at(manifestDir(tempDir), new Configuration(), CLOCK);
  }

  static Path manifestDir(java.nio.file.Path tempDir) {
    return ManifestStore.defaultDir(new Path(tempDir.toUri()));
  }

  /** A fake wrapped blob: recognisable bytes, not a real key. */
  static byte[] blob(long dek, String keyArn) {
    return ("wrapped:" + Long.toHexString(dek) + ":" + keyArn).getBytes(StandardCharsets.UTF_8);
  }

  static DekRecord dek(long id, String keyArn, String runId) {
    DekId dekId = DekId.fromLong(id);
    return DekRecord.builder()
        .id(dekId)
        .keyArn(keyArn)
        .wrappedKey(blob(id, keyArn))
        .encryptionContext(EncryptionContext.forDek(DATASET, dekId.hex(), Map.of("team", "cards")))
        .cells(1000 + (id & 0xFFFF))
        .runId(runId)
        .created(T0)
        .build();
  }

  /** commit 1: the schema, two DEKs under KEY_A, two files. */
  static CommitDraft create(String runId) {
    return CommitDraft.builder(CommitKind.ENCRYPT, DATASET, runId)
        .operation("mode", "error")
        .operation("input", "s3://landing/cards/2026-11-22/*.csv")
        .schema(SCHEMA)
        .addDek(dek(0x11, KEY_A, runId))
        .addDek(dek(0x22, KEY_A, runId))
        .addFile("part-00000-a.parquet")
        .addFile("part-00001-a.parquet")
        .stat("rows", 2000)
        .build();
  }

  /** An append adding one DEK and one file. */
  static CommitDraft append(String runId, long dekId, String file) {
    return CommitDraft.builder(CommitKind.ENCRYPT, DATASET, runId)
        .operation("mode", "append")
        .schema(SCHEMA)
        .addDek(dek(dekId, KEY_A, runId))
        .addFile(file)
        .stat("rows", 10)
        .build();
  }

  static byte[] readBytes(ManifestStore store, long number) throws Exception {
    return Files.readAllBytes(localFile(store, number));
  }

  static java.nio.file.Path localFile(ManifestStore store, long number) {
    return java.nio.file.Paths.get(store.commitPath(number).toUri());
  }
}
