package io.columnseal.jobs.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.junit.jupiter.api.Test;

/** Encrypt's CSV defaults (RFC 4180 unless given) and the dialect compare reads with. No Spark. */
class CsvDialectOptionsTest {
  @Test
  void escapeFollowsTheQuoteUnlessGiven() {
    assertEquals(Map.of("header", "true", "escape", "\""), InputReader.csvOptions(Map.of()));
    assertEquals("'", InputReader.csvOptions(Map.of("quote", "'")).get("escape"));
    assertEquals("\\", InputReader.csvOptions(Map.of("escape", "\\")).get("escape"));
    // Spark's option names are case-insensitive: a user's ESCAPE is kept, not doubled.
    Map<String, String> upper = InputReader.csvOptions(Map.of("ESCAPE", "\\", "header", "false"));
    assertEquals(Map.of("ESCAPE", "\\", "header", "false"), upper);
  }

  @Test
  void dialectTakesSeparatorQuoteHeaderEncodingAndNullValueOnly() throws IOException {
    CsvDialect d = CsvDialect.of(Map.of("sep", "\\t", "quote", "'", "header", "false", "encoding", "ISO-8859-1",
        "nullValue", "NA", "escape", "\\"));
    assertEquals("\t", d.delimiter);
    assertEquals('\'', d.quote.charValue());
    assertFalse(d.header);
    assertEquals("ISO-8859-1", d.charset);
    assertEquals("NA", d.nullValue);
    // The quote doubles to escape itself; the user's backslash escape is not honoured.
    try (CSVParser p = CSVParser.parse(new StringReader("'it''s'\t'a\\'\n"), d.format())) {
      assertEquals(List.of("it's", "a\\"), p.getRecords().get(0).toList());
    }
    assertNull(CsvDialect.of(Map.of("quote", "")).quote);
    assertEquals(",", CsvDialect.of(Map.of()).delimiter);
  }
}
