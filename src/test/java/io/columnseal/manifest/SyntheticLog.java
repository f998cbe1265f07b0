package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark only: writes a manifest log of many ENCRYPT commits with the codec directly (the
 * store would replay the log before each commit), each commit adding DEKs with random wrapped
 * blobs of AWS size and a few bound files.
 */
public final class SyntheticLog {
  public static final List<ColumnRecord> SCHEMA = List.of(ColumnRecord.of("id", "bigint", false, false),
      ColumnRecord.of("card_number", "string", true, true));

  private SyntheticLog() {}

  /** Commits 1..commits into {@code <manifestDir>/log}, local file system. */
  public static void write(Path manifestDir, String datasetId, String keyArn, int commits, int deksPerCommit,
      int filesPerCommit, int blobBytes, long seed) throws IOException {
    Path log = manifestDir.resolve(CommitLog.LOG_DIR);
    Files.createDirectories(log);
    Random random = new Random(seed);
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    String parent = null;
    for (int n = 1; n <= commits; n++) {
      String runId = String.format("20261201T000000Z-%08x", n);
      Instant time = t0.plusMillis(n);
      List<DekRecord> deks = new ArrayList<>();
      List<List<DekId>> perFile = new ArrayList<>();
      for (int f = 0; f < filesPerCommit; f++) {
        perFile.add(new ArrayList<>());
      }
      for (int i = 0; i < deksPerCommit; i++) {
        DekId id = DekId.fromLong((long) n * 1_000_000L + i);
        byte[] blob = new byte[blobBytes];
        random.nextBytes(blob);
        deks.add(DekRecord.builder().id(id).keyArn(keyArn).wrappedKey(blob)
            .encryptionContext(EncryptionContext.forDek(datasetId, id.hex(), Map.of())).cells(1000).runId(runId)
            .created(time).build());
        perFile.get(i % filesPerCommit).add(id);
      }
      List<String> files = new ArrayList<>();
      List<FileRecord> bound = new ArrayList<>();
      for (int f = 0; f < filesPerCommit; f++) {
        String path = String.format("part-%05d-%s.snappy.parquet", f, runId);
        files.add(path);
        bound.add(FileRecord.of(path, 1_000_000, perFile.get(f)));
      }
      Commit c = Commit.builder().formatVersion(3).datasetId(datasetId).number(n)
          .kind(n == 1 ? CommitKind.OVERWRITE : CommitKind.ENCRYPT).runId(runId).time(time)
          .schema(SCHEMA).addedDeks(deks).files(files).cellEncoding("binary")
          .inputs(List.of(String.format("%032x", n))).boundFiles(bound).stats(Map.of("rows", 1000L))
          .parentDigest(parent).seal();
      Files.write(log.resolve(CommitLog.fileName(n)), CommitCodec.encode(c));
      parent = c.digest();
    }
  }
}
