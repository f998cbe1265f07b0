package io.columnseal;

/**
 * Root of columnseal's exception hierarchy. Every subtype's message names the thing at fault
 * (a key id, a column, a file, a config key) and never carries key bytes or cell values, so a
 * message is always safe to log or to show on a terminal.
 */
public abstract class ColumnsealException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** What the job did about the failure (say, removed its partial output); appended to the message. */
  private volatile String outcome;

  protected ColumnsealException(String message) {
    super(message);
  }

  protected ColumnsealException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Adds what the job did after the failure to the one-line message, keeping the type that
   * says what went wrong (callers and tests match on it).
   */
  public final ColumnsealException withOutcome(String what) {
    outcome = outcome == null ? what : outcome + "; " + what;
    return this;
  }

  @Override
  public String getMessage() {
    String m = super.getMessage();
    return outcome == null ? m : m + "; " + outcome;
  }
}
