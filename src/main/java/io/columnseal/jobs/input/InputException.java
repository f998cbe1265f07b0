package io.columnseal.jobs.input;

import io.columnseal.ColumnsealException;

/**
 * The input cannot be encrypted as it is: no rows, a malformed row, a dataset that is already
 * encrypted. The message names the file (and line where known), never a value.
 */
public final class InputException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
