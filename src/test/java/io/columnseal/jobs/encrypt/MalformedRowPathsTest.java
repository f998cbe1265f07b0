package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.input.HeaderWarnings;
import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.input.MalformedRows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways a malformed CSV row is caught (docs/jobs/encrypt.md "Malformed CSV rows"): by
 * default the CSV is read FAILFAST with no column of ours and the sealer turns Spark's failure
 * into our line; with output.partitions (the parse then runs in another stage) or quarantine,
 * the corrupt-record and file columns stay. Either way: file and line, never the row.
 */
public class MalformedRowPathsTest {
  private static final String CARD = "4111111111111111";
  private static final String DDL = "id INT, card_number STRING, amount DECIMAL(12,2)";

  @TempDir
  Path tmp;

  @Test
  void byDefaultTheCsvIsReadFailFastWithNoColumnOfOurs() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n");
    EncryptSettings s = tiny(kit, csv.toString(), tmp.resolve("enc").toString()).build();

    InputReader.Input fast = InputReader.readForSealing(JobTestKit.spark(), s.input(), s.partitions == 0);
    assertTrue(fast.failFast);
    assertFalse(fast.checksMalformed);
    assertEquals(List.of("id", "card_number", "amount"), List.of(fast.rows.schema().fieldNames()));
    String plan = fast.rows.queryExecution().executedPlan().toString();
    assertFalse(plan.contains("_columnseal_") || plan.contains("_metadata"), plan);

    // The other reads keep our columns: a repartitioned input, quarantine.
    for (EncryptSettings other : List.of(tiny(kit, csv.toString(), "x").partitions(2).build(),
        tiny(kit, csv.toString(), "y").malformed(MalformedRows.QUARANTINE).build())) {
      InputReader.Input checked = InputReader.readForSealing(JobTestKit.spark(), other.input(), other.partitions == 0);
      assertFalse(checked.failFast);
      assertTrue(checked.checksMalformed);
      String p = checked.rows.queryExecution().executedPlan().toString();
      assertTrue(p.contains("_columnseal_corrupt_record") && p.contains("_metadata"), p);
    }
  }

  @Test
  void aFailFastReadNamesFileAndLineAndNoLogLineHoldsTheRow() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n"
        + "1,5228757498274265,943.50\n"
        + "2," + CARD + ",12.00," + CARD + "\n");
    String out = tmp.resolve("enc").toString();
    Exception e;
    List<String> logged;
    try (RootLog log = new RootLog()) {
      e = assertThrows(Exception.class, () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).build()));
      logged = log.lines();
    }
    InputException ours = assertInstanceOf(InputException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("malformed CSV row in file:" + csv + " at line 3: it does not fit the input schema (wrong number"
        + " of fields, a bad quote, or a value of the wrong type); the row's text is not shown because it may hold"
        + " sensitive values", ours.getMessage());
    assertEquals(null, ours.getCause(), "Spark's failure, which quotes the row, is not chained");
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(CARD), "a message quotes the row: " + t);
    }
    assertTrue(logged.stream().anyMatch(l -> l.contains("malformed CSV row in file:" + csv)), "the task failure is logged");
    for (String line : logged) {
      assertFalse(line.contains(CARD) || line.contains("MALFORMED_RECORD_IN_PARSING"), line);
    }
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void withOutputPartitionsAMalformedRowStillNamesFileAndLine() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Files.createDirectories(tmp.resolve("landing zone"));
    Path csv = write("landing zone/cards.csv", "id,card_number,amount\n"
        + "1,5228757498274265,943.50\n"
        + "2,4958771451179337,86.12\n"
        + "3," + CARD + ",12.00," + CARD + "\n"
        + "4,5500000000000004,1.00\n");
    String out = tmp.resolve("enc").toString();
    Exception e = assertThrows(Exception.class,
        () -> EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), out).partitions(3).build()));
    InputException ours = assertInstanceOf(InputException.class, BadInputTest.ours(e), String.valueOf(e));
    assertTrue(ours.getMessage().startsWith("malformed CSV row in file:" + csv + " at line 4:"), ours.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(CARD), "a message quotes the row: " + t);
    }
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void aValueOfTheWrongTypeInPageModeNamesItsLineInBothReads() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path csv = write("cards.csv", "id,card_number,amount\n1,5228757498274265,943.50\n2,4958771451179337," + CARD + "x\n");
    for (int partitions : new int[] {0, 2}) {
      String out = tmp.resolve("enc-" + partitions).toString();
      EncryptSettings.Builder b = tiny(kit, csv.toString(), out).encryptMode(EncryptMode.PAGE);
      Exception e = assertThrows(Exception.class,
          () -> EncryptJob.run(JobTestKit.spark(), (partitions > 0 ? b.partitions(partitions) : b).build()));
      InputException ours = assertInstanceOf(InputException.class, BadInputTest.ours(e), String.valueOf(e));
      assertTrue(ours.getMessage().startsWith("malformed CSV row in file:" + csv + " at line 3:"), ours.getMessage());
      assertFalse(String.valueOf(e.getMessage()).contains(CARD), e.getMessage());
      BadInputTest.assertNothingWritten(out);
    }
  }

  @Test
  void aDateTheNewParserRejectsIsAMalformedRowWithItsLine() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // With Spark's default timeParserPolicy (EXCEPTION) this is SparkUpgradeException,
    // "Fail to parse '1985-7-4' in the new parser", which is not a bad record.
    Path csv = write("born.csv", "id,card_number,born\n1,5228757498274265,1990-01-31\n2," + CARD + ",1985-7-4\n");
    String out = tmp.resolve("enc").toString();
    EncryptSettings s = tiny(kit, csv.toString(), out).inputSchema("id INT, card_number STRING, born DATE")
        .inputOptions(Map.of("header", "true", "dateFormat", "yyyy-MM-dd")).build();
    String before = JobTestKit.spark().conf().get("spark.sql.legacy.timeParserPolicy", "EXCEPTION");
    InputException ours = failsQuietly(s, "1985-7-4", CARD);
    assertEquals("malformed CSV row in file:" + csv + " at line 3: it does not fit the input schema (wrong number"
        + " of fields, a bad quote, or a value of the wrong type); the row's text is not shown because it may hold"
        + " sensitive values", ours.getMessage());
    assertEquals(before, JobTestKit.spark().conf().get("spark.sql.legacy.timeParserPolicy", "EXCEPTION"),
        "the caller's session keeps its policy");
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void aRowOverMaxColumnsNamesTheFileAndNoLogLineHoldsIt() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // Univocity's TextParsingException quotes the parsed content; Spark does not make it a bad record.
    Path csv = write("wide.csv", "id,card_number,amount\n1,5228757498274265,943.50\n"
        + "2," + CARD + ",12.00," + CARD + "," + CARD + "," + CARD + "\n");
    String out = tmp.resolve("enc").toString();
    EncryptSettings s = tiny(kit, csv.toString(), out)
        .inputOptions(Map.of("header", "true", "maxColumns", "4")).build();
    InputException ours = failsQuietly(s, CARD);
    assertEquals("malformed CSV row in file:" + csv + ": it does not fit the input schema (wrong number"
        + " of fields, a bad quote, or a value of the wrong type); the row's text is not shown because it may hold"
        + " sensitive values", ours.getMessage());
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void aRowOverMaxColumnsInThePermissiveReadIsOursToo() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // Quarantine reads PERMISSIVE in the sealer's own task: Univocity's error is no bad record there either.
    Path csv = write("wide-q.csv", "id,card_number,amount\n1,5228757498274265,943.50\n"
        + "2," + CARD + ",12.00," + CARD + "," + CARD + "," + CARD + "\n");
    String out = tmp.resolve("enc-q").toString();
    EncryptSettings s = tiny(kit, csv.toString(), out).malformed(MalformedRows.QUARANTINE)
        .inputOptions(Map.of("header", "true", "maxColumns", "4")).build();
    InputException ours = failsQuietly(s, CARD);
    assertTrue(ours.getMessage().startsWith("malformed CSV row in file:" + csv + ": "), ours.getMessage());
    BadInputTest.assertNothingWritten(out);
  }

  @Test
  void sparksHeaderWarningQuotingALoneFilesFirstRowStaysOutOfTheLog() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    // No header line, header left on: Spark drops the first row as a header and warns quoting it.
    Path csv = write("noheader.csv", "1," + CARD + ",943.50\n2,5228757498274265,12.00\n");
    org.apache.logging.log4j.core.config.Configurator.setLevel(HeaderWarnings.LOGGER, Level.WARN);
    List<String> logged;
    try (RootLog log = new RootLog()) {
      EncryptJob.run(JobTestKit.spark(), tiny(kit, csv.toString(), tmp.resolve("enc-nh").toString()).build());
      logged = log.lines();
    }
    for (String line : logged) {
      assertFalse(line.contains(CARD), line);
    }
    assertEquals(Level.ERROR, LogManager.getLogger(HeaderWarnings.LOGGER).getLevel());
  }

  /** Runs {@code s} to its failure: ours, unchained, and no message or log line holds any of {@code values}. */
  private static InputException failsQuietly(EncryptSettings s, String... values) {
    Exception e;
    List<String> logged;
    try (RootLog log = new RootLog()) {
      e = assertThrows(Exception.class, () -> EncryptJob.run(JobTestKit.spark(), s));
      logged = log.lines();
    }
    InputException ours = assertInstanceOf(InputException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals(null, ours.getCause(), "Spark's failure, which quotes the row, is not chained");
    for (String v : values) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(v), "a message quotes the row: " + t);
      }
      for (String line : logged) {
        assertFalse(line.contains(v), line);
      }
    }
    return ours;
  }

  private static EncryptSettings.Builder tiny(JobTestKit kit, String input, String output) {
    return EncryptSettings.builder().datasetId("cards-bad").inputPath(input).inputFormat("csv")
        .inputOptions(Map.of("header", "true")).inputSchema(DDL).columns(List.of("card_number"))
        .keyService(kit.keys).kmsKey("alias/test").outputPath(output);
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  /** Every event that reaches the root logger, with the messages of its exception chain. */
  private static final class RootLog implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender =
        new AbstractAppender("root-capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            StringBuilder b = new StringBuilder(event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
              b.append(" | ").append(t);
            }
            synchronized (lines) {
              lines.add(b.toString());
            }
          }
        };

    RootLog() {
      appender.start();
      context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
      context.updateLoggers();
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    @Override
    public void close() {
      context.getConfiguration().getRootLogger().removeAppender(appender.getName());
      context.updateLoggers();
      appender.stop();
    }
  }
}
