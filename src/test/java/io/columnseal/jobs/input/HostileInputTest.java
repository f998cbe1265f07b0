package io.columnseal.jobs.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.crypto.CellAuthenticationException;
import io.columnseal.crypto.CellDecryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.jobs.InMemoryTempDir;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.QuarantineJob;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd and hostile input to encrypt (issue 6): malformed rows quarantined on request, bytes that
 * are not UTF-8, a 1 MB cell, 10,000 tiny files, zero-byte files, columns named like ours, and
 * an input that is already encrypted.
 */
class HostileInputTest {
  private static final String DDL = "id INT, card_number STRING, amount DECIMAL(12,2)";
  private static final String HEADER = "id,card_number,amount\n";
  /** Fake card numbers in the malformed rows: no message, cell or file may show them. */
  private static final String BAD_CARD_1 = "4111111111111111";
  private static final String BAD_CARD_2 = "5500005555555559";

  @TempDir
  Path tmp;

  @Test
  void malformedRowsAreQuarantinedSealedUnderTheirPartitionsDekAndCounted() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String badFields = "3," + BAD_CARD_1 + ",12.00," + BAD_CARD_1;
    String badAmount = "5," + BAD_CARD_2 + ",twelve";
    Path csv = write("cards.csv", HEADER
        + "1,5228757498274265,943.50\n"
        + "2,4958771451179337,86.12\n"
        + badFields + "\n"
        + "4,5156384518143655,73.57\n"
        + badAmount + "\n"
        + "6,4913375379525856,623.74\n");
    String enc = tmp.resolve("enc").toString();
    RunSummary run = EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), enc)
        .malformed(MalformedRows.QUARANTINE).build());

    assertEquals(4, run.rowsWritten);
    assertEquals(2L, run.quarantinedRows);
    assertTrue(run.toTerminal().contains("malformed rows quarantined (sealed, not in the dataset): 2"), run.toTerminal());
    ManifestState m = BadInputTest.manifest(enc).read().orElseThrow();
    assertEquals(2L, m.lastCommit().stats().get("quarantinedRows"));
    assertEquals("quarantine/" + run.runId, m.lastCommit().operation().get("quarantine"));

    // The dataset holds the good rows only, and none of our columns.
    Dataset<Row> stored = JobTestKit.spark().read().parquet(enc);
    assertArrayEquals(new String[] {"id", "card_number", "amount"}, stored.schema().fieldNames());
    Dataset<Row> plain = decrypt(kit, enc);
    assertEquals(List.of(1, 2, 4, 6), plain.select("id").orderBy("id").collectAsList().stream()
        .map(r -> r.getInt(0)).toList());

    // The quarantine: one cell per bad row, sealed under a DEK the manifest records, binding the
    // reserved column name; it opens to the row's exact text and to nothing else.
    Path dir = Path.of(enc, "_columnseal", "quarantine", run.runId);
    List<Row> records = JobTestKit.spark().read().parquet(dir.toString()).orderBy("line").collectAsList();
    assertEquals(2, records.size());
    assertEquals(List.of(4L, 6L), records.stream().map(r -> r.getLong(r.fieldIndex("line"))).toList());
    List<String> texts = new ArrayList<>();
    try (LocalKeyring ring = LocalKeyring.open(kit.keyringFile)) {
      for (Row r : records) {
        assertTrue(r.getString(r.fieldIndex("source_file")).endsWith("cards.csv"), r.toString());
        byte[] cell = r.getAs("record");
        assertTrue(CellFormat.looksLikeCell(cell));
        assertFalse(new String(cell, StandardCharsets.ISO_8859_1).contains(BAD_CARD_1.substring(0, 8)));
        DekId id = CellFormat.dekIdOf(cell);
        DekRecord dek = m.dek(id).orElseThrow(() -> new AssertionError("quarantine DEK " + id + " not in the manifest"));
        try (OpeningKey key = ring.decrypt(dek.wrapped(), id, dek.context())) {
          CellDecryptor d = CellDecryptor.open(key);
          texts.add(new String(d.open(QuarantineFolder.cellSpec("cards-bad"), cell), StandardCharsets.UTF_8));
          // Bound to the reserved name: copied into a data column, it does not open.
          assertThrows(CellAuthenticationException.class,
              () -> d.open(ColumnSpec.of("cards-bad", "card_number", CellType.STRING), cell));
        }
      }
    }
    assertEquals(List.of(badFields, badAmount), texts);
    // decrypt --quarantine gives the same, for someone allowed to repair the rows.
    String repaired = tmp.resolve("quarantine-plain").toString();
    RunSummary opened = QuarantineJob.decrypt(JobTestKit.spark(), kit.decryptTo(enc, repaired, "parquet"));
    assertEquals(2, opened.rowsWritten);
    assertEquals(List.of("4 " + badFields, "6 " + badAmount), JobTestKit.spark().read().parquet(repaired).orderBy("line")
        .collectAsList().stream().map(r -> r.getLong(1) + " " + r.getString(2)).toList());
    // The DEKs count their data cells, as verify finds them: verify has nothing to report.
    VerifyReport report = VerifyJob.run(JobTestKit.spark(),
        new VerifySettings(enc, null, kit.keys, false, 3, List.of("card_number"), null));
    assertEquals(List.of(), report.findings.stream().map(f -> f.check + ": " + f.message).toList());
  }

  @Test
  void quarantineIsRefusedWhereItCannotWork() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", HEADER + "1,5228757498274265,943.50\n");
    String out = tmp.resolve("enc").toString();
    ConfigException dropped = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, csv.toString(), out).malformed(MalformedRows.QUARANTINE)
            .inputOptions(Map.of("header", "true", "mode", "dropMalformed")).build()));
    assertTrue(dropped.getMessage().contains("DROPMALFORMED"), dropped.getMessage());
    ConfigException parquet = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        tiny(kit, JobTestKit.SAMPLE_PARQUET, out).inputFormat("parquet").inputSchema(null)
            .malformed(MalformedRows.QUARANTINE).build()));
    assertTrue(parquet.getMessage().contains("input.format=parquet"), parquet.getMessage());
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void bytesThatAreNotUtf8RoundTripExactly() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    // Raw bytes in a string column (a Latin-1 "José" as Spark holds it from a Parquet file
    // written by a careless producer): E9 alone is not UTF-8. Decrypt gives back the same bytes.
    String src = tmp.resolve("latin1.parquet").toString();
    spark.sql("SELECT 1 AS id, CAST(X'4A6F73E9' AS STRING) AS card_number, CAST(1.00 AS DECIMAL(12,2)) AS amount "
        + "UNION ALL SELECT 2, CAST(X'FF00C328' AS STRING), CAST(2.00 AS DECIMAL(12,2))").write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, tiny(kit, src, enc).inputFormat("parquet").inputSchema(null).inputOptions(Map.of()).build());
    assertEquals(List.of("4A6F73E9", "FF00C328"), hexOfCardNumbers(decrypt(kit, enc)));

    // A Latin-1 CSV read as UTF-8: Spark's CSV reader decodes each line to text before any of
    // our code runs, so E9 is already U+FFFD when it is sealed; decrypt gives back exactly what
    // Spark read. Reading it right takes input.options.encoding=ISO-8859-1.
    Path csv = tmp.resolve("latin1.csv");
    Files.write(csv, (HEADER + "1,Jos\u00e9 M\u00fcller,1.00\n").getBytes(StandardCharsets.ISO_8859_1));
    String enc2 = tmp.resolve("enc2").toString();
    EncryptJob.run(spark, tiny(kit, csv.toString(), enc2).build());
    Dataset<Row> asRead = spark.read().option("header", "true").schema(DDL).csv(csv.toString());
    assertEquals(hexOfCardNumbers(asRead), hexOfCardNumbers(decrypt(kit, enc2)));
    assertEquals(List.of("4A6F73EFBFBD204DEFBFBD6C6C6572"), hexOfCardNumbers(asRead), "Spark replaced E9 and FC");
    String enc3 = tmp.resolve("enc3").toString();
    EncryptJob.run(spark, tiny(kit, csv.toString(), enc3)
        .inputOptions(Map.of("header", "true", "encoding", "ISO-8859-1")).build());
    assertEquals("Jos\u00e9 M\u00fcller", decrypt(kit, enc3).select("card_number").first().getString(0));
  }

  @Test
  void aOneMegabyteCellRoundTrips() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    StringBuilder big = new StringBuilder(1 << 20);
    Random random = new Random(6);
    while (big.length() < 1 << 20) {
      big.append((char) ('a' + random.nextInt(26)));
    }
    Path csv = write("big.csv", HEADER + "1," + big + ",1.00\n2,4958771451179337,2.00\n");
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), enc).build());
    byte[] cell = JobTestKit.spark().read().parquet(enc).where("id = 1").first().getAs("card_number");
    assertEquals((1 << 20) + CellFormat.OVERHEAD_BYTES, cell.length);
    assertEquals(big.toString(), decrypt(kit, enc).where("id = 1").first().getString(1));
  }

  @Test
  void tenThousandTinyFilesMakeOneDekPerPartitionNotPerFile(@TempDir(factory = InMemoryTempDir.class) Path mem)
      throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path in = Files.createDirectories(mem.resolve("drop"));
    int n = 10_000;
    java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
      try {
        Files.write(in.resolve(String.format("f%05d.csv", i)),
            (HEADER + i + ",4" + String.format("%015d", i) + ",1.00\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // Spark packs small files into partitions (maxPartitionBytes, openCostInBytes); a small open
    // cost packs them densely, as a production setting for a drop of small files would.
    SparkSession spark = JobTestKit.spark().newSession();
    spark.conf().set("spark.sql.files.openCostInBytes", "1024");
    String enc = tmp.resolve("enc").toString();
    RunSummary run = EncryptJob.run(spark, tiny(kit, in.toString(), enc).build());

    assertEquals(n, run.rowsWritten);
    long partitions = run.tasks;
    assertTrue(partitions < 50, "Spark packed 10,000 files into " + partitions + " partitions");
    assertEquals(partitions, run.deks, "one DEK per partition");
    assertEquals(partitions, run.kmsCalls.get("GenerateDataKey"));
    assertEquals(partitions, BadInputTest.manifest(enc).read().orElseThrow().deks().size());
    // Every row made it, once, and the cells name exactly those DEKs.
    Row stored = spark.read().parquet(enc)
        .selectExpr("count(*)", "sum(id)", "count(distinct substring(card_number, 2, 8))").first();
    assertEquals(n, stored.getLong(0));
    assertEquals((long) n * (n - 1) / 2, stored.getLong(1));
    assertEquals(partitions, stored.getLong(2));
  }

  @Test
  void zeroByteFilesAmongNormalOnesAreSkipped() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path in = Files.createDirectories(tmp.resolve("drop"));
    Files.writeString(in.resolve("a.csv"), HEADER + "1,5228757498274265,943.50\n2,4958771451179337,86.12\n");
    Files.writeString(in.resolve("a-empty.csv"), "");
    Files.writeString(in.resolve("b.csv"), HEADER + "3,5156384518143655,73.57\n");
    Files.writeString(in.resolve("c-empty.csv"), "");
    String enc = tmp.resolve("enc").toString();
    // No schema: the header is found among empty files too.
    RunSummary run = EncryptJob.run(JobTestKit.spark(), tiny(kit, in.toString(), enc).inputSchema(null).build());
    assertEquals(3, run.rowsWritten);
    assertEquals(List.of("5228757498274265", "4958771451179337", "5156384518143655"),
        decrypt(kit, enc).orderBy("id").select("card_number").collectAsList().stream().map(r -> r.getString(0)).toList());
  }

  @Test
  void columnsNamedLikeOurInternalColumnsAreRefused() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    String out = tmp.resolve("enc").toString();
    for (String name : List.of(InputReader.CORRUPT_COLUMN, InputReader.FILE_COLUMN, QuarantineFolder.CELL_COLUMN)) {
      // The file's own name must not start with '_': Spark skips such files as hidden.
      Path csv = write("internal-" + name.length() + ".csv", "id,card_number," + name + "\n1," + BAD_CARD_1 + ",x\n");
      ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
          tiny(kit, csv.toString(), out).inputSchema(null).build()));
      assertTrue(e.getMessage().contains("input column " + name + " uses the prefix _columnseal_"), e.getMessage());
      assertFalse(e.getMessage().contains(BAD_CARD_1), e.getMessage());
    }
    Dataset<Row> df = JobTestKit.spark().sql("SELECT 1 AS id, 'x' AS card_number, 'y' AS " + InputReader.FILE_COLUMN);
    ConfigException e = assertThrows(ConfigException.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, "(memory)", out).build(), df));
    assertTrue(e.getMessage().contains("uses the prefix _columnseal_"), e.getMessage());
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void anInputThatIsAlreadyAColumnsealDatasetIsRefusedByFolderOrByGlob() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", HEADER + "1,5228757498274265,943.50\n");
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), enc).build());
    String again = tmp.resolve("again").toString();
    for (String input : List.of(enc, enc + "/*.parquet")) {
      InputException e = assertThrows(InputException.class, () -> EncryptJob.run(JobTestKit.spark(),
          tiny(kit, input, again).inputFormat("parquet").inputSchema(null).inputOptions(Map.of()).build()));
      assertTrue(e.getMessage().contains("input.path " + input + " is already a columnseal dataset"), e.getMessage());
    }
    BadInputTest.assertNothingWritten(again);
    DatasetException none = assertThrows(DatasetException.class,
        () -> QuarantineJob.decrypt(JobTestKit.spark(), kit.decryptTo(enc, again, "parquet")));
    assertTrue(none.getMessage().contains("has no quarantined rows"), none.getMessage());
  }

  // ---- helpers

  private static EncryptSettings.Builder tiny(JobTestKit kit, String input, String output) {
    return EncryptSettings.builder().datasetId("cards-bad").inputPath(input).inputFormat("csv")
        .inputOptions(Map.of("header", "true")).inputSchema(DDL).columns(List.of("card_number"))
        .keyService(kit.keys).kmsKey("alias/test").outputPath(output).partitions(0);
  }

  private Dataset<Row> decrypt(JobTestKit kit, String enc) {
    String out = tmp.resolve("dec-" + Path.of(enc).getFileName()).toString();
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out, "parquet"));
    return JobTestKit.spark().read().parquet(out);
  }

  private static List<String> hexOfCardNumbers(Dataset<Row> df) {
    return df.orderBy("id").selectExpr("hex(CAST(card_number AS BINARY))").collectAsList().stream()
        .map(r -> r.getString(0)).toList();
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }
}
