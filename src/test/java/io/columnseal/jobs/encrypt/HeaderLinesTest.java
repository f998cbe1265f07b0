package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.DecryptJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With input.options.header on, Spark drops line 1 of every file: a file without the header
 * would lose a row silently. Every file must start with the first file's header line.
 */
public class HeaderLinesTest {
  private static final String CARD = "4111111111111111";
  private static final String DDL = "id INT, card_number STRING, amount DECIMAL(12,2)";

  @TempDir
  Path tmp;

  @Test
  void aSecondFileWithoutTheHeaderIsRefusedBeforeAnySparkJobOrKmsCall() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path landing = Files.createDirectories(tmp.resolve("landing"));
    Files.writeString(landing.resolve("a.csv"), "id,card_number,amount\n1,5228757498274265,943.50\n");
    Files.writeString(landing.resolve("b.csv"), "2," + CARD + ",12.00\n3,4958771451179337,86.12\n");
    String out = tmp.resolve("enc").toString();
    for (String schema : new String[] {DDL, null}) {
      // A key that does not exist: a DescribeKey before the check would fail with that instead.
      ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
          settings(kit, landing.toString(), out).inputSchema(schema).kmsKey("alias/no-such-key").build()));
      assertEquals("file:" + landing.resolve("b.csv") + " does not start with the header line of file:"
          + landing.resolve("a.csv") + ": field 1 of its first line differs from the header's; Spark would drop"
          + " its first line as a header; set input.options.header=false if no file has one", e.getMessage());
      BadInputTest.assertNothingWritten(out);
    }
  }

  @Test
  void aFirstLineWithAnotherFieldCountIsNamedByCount() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path landing = Files.createDirectories(tmp.resolve("landing"));
    Files.writeString(landing.resolve("a.csv"), "\uFEFFid,card_number,amount\n1,5228757498274265,943.50\n");
    Files.writeString(landing.resolve("b.csv"), "id,card_number,amount\n2,4958771451179337,86.12\n");
    Files.writeString(landing.resolve("c.csv"), "3," + CARD + "\n");
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        settings(kit, landing.toString(), tmp.resolve("enc").toString()).build()));
    assertEquals("file:" + landing.resolve("c.csv") + " does not start with the header line of file:"
        + landing.resolve("a.csv") + ": its first line has 2 fields, the header 3; Spark would drop its first line"
        + " as a header; set input.options.header=false if no file has one", e.getMessage());
  }

  @Test
  void filesThatAllStartWithTheHeaderKeepEveryRow() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path landing = Files.createDirectories(tmp.resolve("landing"));
    Files.writeString(landing.resolve("a.csv"), "id,card_number,amount\n1,5228757498274265,943.50\n",
        StandardCharsets.UTF_8);
    Files.writeString(landing.resolve("b.csv"), "id,card_number,amount\n2," + CARD + ",12.00\n3,4958771451179337,86.12\n",
        StandardCharsets.UTF_8);
    Files.writeString(landing.resolve("empty.csv"), "");
    String enc = tmp.resolve("enc").toString();
    String plain = tmp.resolve("plain").toString();
    EncryptJob.run(JobTestKit.spark(), settings(kit, landing.toString(), enc).build());
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, plain, "parquet"));
    List<Row> rows = JobTestKit.sorted(JobTestKit.spark().read().parquet(plain)
        .selectExpr("id", "card_number", "cast(amount as string)"));
    assertEquals(List.of(RowFactory.create(1, "5228757498274265", "943.50"), RowFactory.create(2, CARD, "12.00"),
        RowFactory.create(3, "4958771451179337", "86.12")), rows);
  }

  @Test
  void aHeaderAfterBlankLinesOrInAnotherCaseIsStillTheHeader() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path landing = Files.createDirectories(tmp.resolve("landing2"));
    Files.writeString(landing.resolve("a.csv"), "id,card_number,amount\n1,5228757498274265,943.50\n",
        StandardCharsets.UTF_8);
    // Spark skips the blank lines and drops the header whatever its case and blanks.
    Files.writeString(landing.resolve("b.csv"), "  \n\nID, Card_Number ,AMOUNT\n2," + CARD + ",12.00\n",
        StandardCharsets.UTF_8);
    String enc = tmp.resolve("enc2").toString();
    String plain = tmp.resolve("plain2").toString();
    EncryptJob.run(JobTestKit.spark(), settings(kit, landing.toString(), enc).build());
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, plain, "parquet"));
    List<Row> rows = JobTestKit.sorted(JobTestKit.spark().read().parquet(plain)
        .selectExpr("id", "card_number", "cast(amount as string)"));
    assertEquals(List.of(RowFactory.create(1, "5228757498274265", "943.50"), RowFactory.create(2, CARD, "12.00")), rows);
  }

  private static EncryptSettings.Builder settings(JobTestKit kit, String input, String output) {
    return EncryptSettings.builder().datasetId("cards-landing").inputPath(input).inputFormat("csv")
        .inputOptions(Map.of()).inputSchema(DDL).columns(List.of("card_number"))
        .keyService(kit.keys).kmsKey("alias/test").outputPath(output);
  }
}
