package io.columnseal.jobs.rewrap;

import io.columnseal.ColumnsealException;

/**
 * A rewrap that did not commit: some DEKs failed to ReEncrypt, the sample check failed, or the
 * manifest kept changing under it. The message says which DEKs and why, or what to do; the
 * manifest is as it was, and finished DEKs are checkpointed for the next run.
 */
public final class RewrapFailedException extends ColumnsealException {
  private static final long serialVersionUID = 1L;
  private transient RewrapReport report;

  public RewrapFailedException(String message) {
    super(message);
  }

  public RewrapFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The run's report (status failed), or null if the rewrap stopped before it had one. */
  public RewrapReport report() {
    return report;
  }

  RewrapFailedException withReport(RewrapReport r) {
    this.report = r;
    return this;
  }
}
