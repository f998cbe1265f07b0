package io.columnseal.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@link CardTransaction}s as RFC 4180 CSV: a header line, comma separators, '\n' line
 * ends, UTF-8 (the caller's writer decides the charset). A field is quoted only when it holds a
 * comma, a double quote, CR or LF, and a quote inside it is doubled.
 *
 * <p>A null value is an empty unquoted field, which Spark's CSV reader reads as null. An empty
 * string would be {@code ""}, but Spark's reader with its default {@code nullValue} reads that
 * as null too, so the generator never makes empty strings: every blank field is a null.
 */
public final class CardCsv {
  /** The header line, without its line end. */
  public static final String HEADER = String.join(",", CardSchema.COLUMNS);

  public static final String DATE_FORMAT = "yyyy-MM-dd";
  public static final String TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss";

  /**
   * Options for Spark's CSV reader (with the schema {@link CardSchema#DDL}) that read these
   * files back exactly. No field holds a line break, so multiLine stays off and Spark can split
   * big files. FAILFAST turns a malformed line into an error instead of a row of nulls.
   */
  public static final Map<String, String> SPARK_READ_OPTIONS = Map.of(
      "header", "true",
      "encoding", "UTF-8",
      "quote", "\"",
      "escape", "\"",
      "multiLine", "false",
      "dateFormat", DATE_FORMAT,
      "timestampFormat", TIMESTAMP_FORMAT,
      "mode", "FAILFAST");

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern(TIMESTAMP_FORMAT, Locale.ROOT);

  private CardCsv() {}

  public static void writeHeader(Writer out) {
    write(out, HEADER);
    write(out, "\n");
  }

  public static void writeRow(CardTransaction row, Writer out) {
    write(out, line(row));
  }

  /** One data line, with its '\n'. */
  public static String line(CardTransaction row) {
    StringBuilder line = new StringBuilder(192);
    Object[] values = row.values();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      appendField(line, format(values[i]));
    }
    return line.append('\n').toString();
  }

  /** The text of a value before quoting; null for a missing value. */
  static String format(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof LocalDate d) {
      return d.toString(); // ISO yyyy-MM-dd for years 0000-9999
    }
    if (value instanceof LocalDateTime t) {
      return TIMESTAMP.format(t);
    }
    if (value instanceof BigDecimal b) {
      return b.toPlainString();
    }
    throw new IllegalArgumentException("no CSV form for " + value.getClass().getName());
  }

  /** Appends one field with RFC 4180 quoting; null appends nothing. */
  static void appendField(StringBuilder line, String field) {
    if (field == null) {
      return;
    }
    if (!needsQuotes(field)) {
      line.append(field);
      return;
    }
    line.append('"');
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '"') {
        line.append('"');
      }
      line.append(c);
    }
    line.append('"');
  }

  static boolean needsQuotes(String field) {
    if (field.isEmpty()) {
      return true; // "" keeps an empty string apart from a null
    }
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == ',' || c == '"' || c == '\r' || c == '\n') {
        return true;
      }
    }
    return false;
  }

  private static void write(Writer out, String s) {
    try {
      out.write(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write CSV", e);
    }
  }
}
