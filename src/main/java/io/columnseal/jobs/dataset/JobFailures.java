package io.columnseal.jobs.dataset;

import io.columnseal.ColumnsealException;

/**
 * Spark wraps a task's exception (a malformed row, a cell that does not authenticate, a KMS
 * error in an executor) in its own SparkException, several levels deep. Callers of the job API
 * get our exception back, with the same message the executor wrote. SparkException is a checked
 * exception that Scala code throws undeclared, so callers catch {@code Exception}.
 */
public final class JobFailures {
  private JobFailures() {}

  public static RuntimeException unwrap(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ColumnsealException) {
        if (t != e) {
          t.addSuppressed(e);
        }
        return (ColumnsealException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (e instanceof RuntimeException) {
      return (RuntimeException) e;
    }
    // Not ours and checked (a SparkException): rethrown as it is, as Spark threw it.
    throw undeclared(e);
  }

  /**
   * Throws {@code e} as it is, checked or not: Spark's Scala code throws checked exceptions
   * (SparkException) undeclared, and a Java iterator over its rows passes them on the same way.
   * Declared to return so callers can write {@code throw undeclared(e)}.
   */
  public static RuntimeException undeclared(Exception e) {
    throw JobFailures.<RuntimeException>sneaky(e);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Exception> T sneaky(Exception e) throws T {
    throw (T) e;
  }
}
