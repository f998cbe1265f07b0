package io.columnseal.crypto;

/** A value that does not fit its column type (a decimal beyond its precision, a wrong Java type). */
public final class ValueEncodingException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public ValueEncodingException(String message) {
    super(message);
  }

  public ValueEncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
