package io.columnseal.crypto;

import io.columnseal.ColumnsealException;

/** Base of the cell-cipher errors. Messages name columns and DEK ids, never bytes or values. */
public abstract class CryptoException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  protected CryptoException(String message) {
    super(message);
  }

  protected CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
