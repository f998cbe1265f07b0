package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Spark's corrupt-record column name never takes a real column out of the parse: a column named
 * _corrupt_record (Spark's default), or a user's columnNameOfCorruptRecord naming a real column,
 * round-trips like any other.
 */
public class CsvReadOptionsTest {
  private static final String CSV = "id,_corrupt_record,card_number,note\n"
      + "1,x1,5228757498274265,first\n"
      + "2,,4958771451179337,second\n";
  private static final List<Row> ROWS = List.of(
      RowFactory.create(1, "x1", "5228757498274265", "first"),
      RowFactory.create(2, null, "4958771451179337", "second"));

  @TempDir
  Path tmp;

  @Test
  void aColumnNamedLikeSparksCorruptRecordRoundTrips() throws IOException {
    for (int partitions : new int[] {0, 2}) {
      assertEquals(ROWS, roundTrip("default-" + partitions, Map.of("header", "true"), partitions));
    }
  }

  @Test
  void aUserCorruptRecordOptionNamingARealColumnChangesNothing() throws IOException {
    for (String column : List.of("card_number", "note", "_corrupt_record")) {
      assertEquals(ROWS, roundTrip("user-" + column, Map.of("header", "true", "columnNameOfCorruptRecord", column), 0));
    }
  }

  private List<Row> roundTrip(String name, Map<String, String> options, int partitions) throws IOException {
    JobTestKit kit = new JobTestKit(tmp.resolve(name));
    Path csv = tmp.resolve(name + ".csv");
    Files.writeString(csv, CSV, StandardCharsets.UTF_8);
    String enc = tmp.resolve(name + "-enc").toString();
    String plain = tmp.resolve(name + "-plain").toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId("cards-corrupt").inputPath(csv.toString())
        .inputFormat("csv").inputOptions(options)
        .inputSchema("id INT, _corrupt_record STRING, card_number STRING, note STRING")
        .columns(List.of("card_number")).keyService(kit.keys).kmsKey("alias/test").outputPath(enc)
        .partitions(partitions).build());
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, plain, "parquet"));
    return JobTestKit.sorted(JobTestKit.spark().read().parquet(plain)
        .selectExpr("id", "_corrupt_record", "card_number", "note"));
  }
}
