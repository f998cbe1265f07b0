package io.columnseal.jobs.input;

import io.columnseal.ConfigException;
import java.io.Serializable;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;

/**
 * The basics of a CSV dialect, from the spec's {@code input.options}: separator, quote, header,
 * encoding, and the text that stands for null. compare reads the input with these through
 * Apache Commons CSV's RFC 4180 parser, where a quote inside a quoted field is doubled, and
 * deliberately not with Spark's {@code escape} or any other Spark option: a dialect the job's
 * reader got wrong then shows as a difference instead of being read wrong twice. No Spark here.
 */
final class CsvDialect implements Serializable {
  private static final long serialVersionUID = 1L;

  final String delimiter;
  /** The quote character, or null when quoting is off ({@code quote: ""}, as in Spark). */
  final Character quote;
  final boolean header;
  final String charset;
  final String nullValue;

  private CsvDialect(String delimiter, Character quote, boolean header, String charset, String nullValue) {
    this.delimiter = delimiter;
    this.quote = quote;
    this.header = header;
    this.charset = charset;
    this.nullValue = nullValue;
  }

  /** The dialect of encrypt's CSV options (defaults as InputReader's: header on, quote {@code "}). */
  static CsvDialect of(Map<String, String> given) {
    Map<String, String> options = InputReader.csvOptions(given);
    String sep = InputReader.option(options, "sep");
    if (sep == null) {
      sep = InputReader.option(options, "delimiter");
    }
    String quote = InputReader.option(options, "quote");
    String nullValue = InputReader.option(options, "nullValue");
    return new CsvDialect(separator(sep == null ? "," : sep), quote == null ? Character.valueOf('"')
        : quote.isEmpty() ? null : Character.valueOf(quote.charAt(0)), Boolean.parseBoolean(
        InputReader.option(options, "header")), InputReader.charsetOf(options), nullValue == null ? "" : nullValue);
  }

  /** Spark takes {@code \t} and {@code \u0001}-style escapes for the separator. */
  private static String separator(String sep) {
    if (sep.isEmpty()) {
      throw new ConfigException("Cannot set input.options.sep to an empty value: the value must be one or more"
          + " characters");
    }
    if (sep.equals("\\t")) {
      return "\t";
    }
    if (sep.startsWith("\\u") && sep.length() == 6) {
      return String.valueOf((char) Integer.parseInt(sep.substring(2), 16));
    }
    return sep;
  }

  /** RFC 4180 with this dialect's separator and quote; blank lines hold no record (as in Spark). */
  CSVFormat format() {
    return CSVFormat.RFC4180.builder().setDelimiter(delimiter).setQuote(quote).setIgnoreEmptyLines(true).build();
  }
}
