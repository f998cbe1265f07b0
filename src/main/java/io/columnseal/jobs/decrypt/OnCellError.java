package io.columnseal.jobs.decrypt;

/** What decrypt does with a cell that does not open ({@code decrypt --on-error}). */
public enum OnCellError {
  /** Fail the job naming the column, the file and the row (the default). */
  FAIL,
  /**
   * Write null for that cell and count it per column in the run summary. Only for damaged
   * cells (failed authentication, malformed, a DEK the manifest lacks); a KMS or keyring error
   * still fails the job, since it would turn every cell to null.
   */
  NULL
}
