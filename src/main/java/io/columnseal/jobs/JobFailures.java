package io.columnseal.jobs;

import io.columnseal.ColumnsealException;

/**
 * Spark wraps a task's exception (a malformed row, a cell that does not authenticate, a KMS
 * error in an executor) in its own SparkException, several levels deep. Callers of the job API
 * get our exception back, with the same message the executor wrote.
 */
final class JobFailures {
  private JobFailures() {}

  static RuntimeException unwrap(RuntimeException e) {
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
    return e;
  }
}
