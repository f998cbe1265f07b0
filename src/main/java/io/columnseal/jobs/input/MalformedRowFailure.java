package io.columnseal.jobs.input;

import com.univocity.parsers.common.TextParsingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.SparkUpgradeException;
import org.apache.spark.rdd.InputFileBlockHolder;
import org.apache.spark.sql.catalyst.util.BadRecordException;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The one-line failure of a malformed CSV row: its file and line, never its text. Built in the
 * executor that met the row, from our corrupt-record and file columns, or (a FAILFAST read, see
 * {@link InputReader.Input#failFast}) from Spark's parse failure caught where the scan's iterator
 * throws it. Spark's exception is never chained nor logged: its message quotes the parsed row.
 */
public final class MalformedRowFailure {
  /** Spark 3.5's error class for a FAILFAST parse failure (QueryExecutionErrors). */
  private static final String FAILFAST_ERROR_CLASS = "MALFORMED_RECORD_IN_PARSING";
  /** Causes looked through: Spark wraps at most twice (the parse failure, a file read failure). */
  private static final int MAX_DEPTH = 8;

  private MalformedRowFailure() {}

  /**
   * What a consumer of a FAILFAST scan throws for {@code e}, caught from the scan's iterator:
   * our failure when {@code e} is Spark's parse failure, else {@code e} itself, unchanged (it
   * may be a checked SparkException, thrown undeclared as Spark's Scala code throws it).
   */
  public static RuntimeException fromScan(Exception e, Configuration conf, String charset) {
    InputException ours = ofFailFast(e, conf, charset);
    if (ours != null) {
      return ours;
    }
    throw io.columnseal.jobs.dataset.JobFailures.undeclared(e);
  }

  /** The file Spark's scan reads now in this task thread, or empty. */
  public static java.util.Optional<Path> currentFile() {
    UTF8String file = InputFileBlockHolder.getInputFilePath();
    return file == null || file.numBytes() == 0 ? java.util.Optional.empty()
        : java.util.Optional.of(InputReader.sourcePath(file.toString()));
  }

  /**
   * Our failure for {@code t} when it is Spark's FAILFAST parse failure, else null. Call it in the
   * task thread that runs the scan: the file is the one Spark's scan is reading now.
   */
  static InputException ofFailFast(Throwable t, Configuration conf, String charset) {
    BadRecordException bad = null;
    boolean failFast = false;
    Throwable c = t;
    for (int depth = 0; c != null && depth < MAX_DEPTH; depth++, c = c.getCause()) {
      if (c instanceof BadRecordException) {
        bad = (BadRecordException) c;
        break;
      }
      // Parse failures Spark does not wrap as a bad record, whose messages quote the value too:
      // Univocity's (more fields than maxColumns, a value over maxCharsPerColumn: the parsed
      // content), and a date the new parser rejects where the old one would not ("Fail to parse
      // '<value>'"; encrypt reads with timeParserPolicy CORRECTED, this is the second guard).
      // No record text to look the line up with: the file only.
      if (c instanceof TextParsingException || c instanceof SparkUpgradeException) {
        failFast = true;
        break;
      }
      if (c instanceof SparkThrowable) {
        String errorClass = ((SparkThrowable) c).getErrorClass();
        failFast |= errorClass != null && errorClass.startsWith(FAILFAST_ERROR_CLASS);
      }
    }
    if (bad == null && !failFast) {
      return null;
    }
    String record = bad == null ? null : recordOf(bad);
    UTF8String file = InputFileBlockHolder.getInputFilePath();
    return inFile(conf, file == null || file.numBytes() == 0 ? null : file.toString(), record, charset);
  }

  /**
   * The failure naming {@code filePath} (Spark's URL-encoded form, or null when Spark did not name
   * it) and the line where {@code record} starts (left out when not found or record is null).
   */
  public static InputException inFile(Configuration conf, String filePath, String record, String charset) {
    if (filePath == null) {
      return new InputException("malformed CSV row in an input file Spark did not name: it does not fit the input"
          + " schema; the row's text is not shown because it may hold sensitive values");
    }
    Path file = InputReader.sourcePath(filePath);
    long line = record == null ? -1 : InputReader.lineOf(conf, file, record, charset);
    return new InputException("malformed CSV row in " + file + (line > 0 ? " at line " + line : "")
        + ": it does not fit the input schema (wrong number of fields, a bad quote, or a value of the wrong type);"
        + " the row's text is not shown because it may hold sensitive values");
  }

  /** The raw text Spark could not parse (the same text PERMISSIVE puts in the corrupt-record column), or null. */
  private static String recordOf(BadRecordException bad) {
    try {
      UTF8String r = bad.record().apply();
      return r == null ? null : r.toString();
    } catch (RuntimeException e) {
      // Re-reading the parser's context failed: the file is still named, the line is not.
      return null;
    }
  }
}
