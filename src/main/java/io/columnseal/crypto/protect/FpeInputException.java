package io.columnseal.crypto.protect;

import io.columnseal.crypto.CryptoException;

/**
 * A value the {@code fpe} protection refuses: not digits only, too few digits to encrypt at
 * least 10^6 values, or a Luhn check digit that is not valid in Luhn mode. The message names the
 * column and the length, never the value.
 */
public final class FpeInputException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public FpeInputException(String message) {
    super(message);
  }
}
