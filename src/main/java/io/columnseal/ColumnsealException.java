package io.columnseal;

/**
 * Root of columnseal's exception hierarchy. Every subtype's message names the thing at fault
 * (a key id, a column, a file, a config key) and never carries key bytes or cell values, so a
 * message is always safe to log or to show on a terminal.
 */
public abstract class ColumnsealException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected ColumnsealException(String message) {
    super(message);
  }

  protected ColumnsealException(String message, Throwable cause) {
    super(message, cause);
  }
}
