package io.columnseal.crypto;

/** A data key that cannot be used: wrong length or all zero bytes. */
public final class InvalidDataKeyException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidDataKeyException(String message) {
    super(message);
  }

  public InvalidDataKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
