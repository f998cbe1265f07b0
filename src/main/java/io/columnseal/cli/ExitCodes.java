package io.columnseal.cli;

/** The process exit codes, as README documents them. */
final class ExitCodes {
  static final int OK = 0;
  /** The job ran and failed (KMS, I/O, bad data); nothing was marked complete. */
  static final int FAILED = 1;
  /** Bad command line or configuration; found before any Spark job or KMS call. */
  static final int USAGE = 2;
  /** verify ran and found problems; the JSON report lists them. */
  static final int FINDINGS = 3;

  private ExitCodes() {}
}
