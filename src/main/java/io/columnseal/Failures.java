package io.columnseal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;

/**
 * Names a failure that is not one of ours in one line, by its type only. A foreign exception's
 * message may quote the data (Univocity's parse errors embed the text parsed so far,
 * NumberFormatException says "For input string: ..."), so it is never shown; --verbose prints
 * the stack trace instead.
 */
public final class Failures {
  private Failures() {}

  public static String describe(Throwable e) {
    Throwable named = null;
    String kind = null;
    for (Throwable t = e; t != null && kind == null; t = t.getCause() == t ? null : t.getCause()) {
      kind = kind(t);
      named = t;
    }
    if (kind == null) {
      kind = "an unexpected error";
      named = root(e);
    }
    String where = inSparkTask(e) ? " in a Spark task" : "";
    return kind + where + " (" + named.getClass().getSimpleName() + "; its message is not shown as it may quote data;"
        + " --verbose shows the stack trace)";
  }

  /** What a type says about the failure, or null if it says nothing (a wrapper). */
  private static String kind(Throwable t) {
    String type = t.getClass().getName();
    if (t instanceof NumberFormatException || t instanceof DateTimeException || t instanceof ArithmeticException
        || type.endsWith("TextParsingException") || type.endsWith("BadRecordException")
        || type.endsWith("SparkNumberFormatException") || type.endsWith("SparkDateTimeException")
        || type.endsWith("SparkArithmeticException")) {
      return "a value could not be parsed or converted";
    }
    if (t instanceof java.nio.file.AccessDeniedException || type.endsWith("AccessDeniedException")) {
      return "access denied";
    }
    if (t instanceof IOException || t instanceof UncheckedIOException) {
      return "an I/O error";
    }
    if (t instanceof OutOfMemoryError) {
      return "out of memory (give the driver or executors more)";
    }
    if (t instanceof InterruptedException) {
      return "interrupted";
    }
    return null;
  }

  /** The first of our exceptions in the cause chain (Spark wraps task failures several times). */
  public static ColumnsealException ours(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ColumnsealException) {
        return (ColumnsealException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The deepest cause. */
  public static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static boolean inSparkTask(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // The type and a fixed phrase of Spark's own wrapper decide; the text is never shown.
      if (t.getClass().getName().equals("org.apache.spark.SparkException")
          && String.valueOf(t.getMessage()).contains("stage failure")) {
        return true;
      }
    }
    return false;
  }
}
