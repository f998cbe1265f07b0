package io.columnseal.crypto;

/** A DEK has sealed its 2^32 cells (NIST SP 800-38D section 8.3); the caller must take a new DEK. */
public final class DataKeyExhaustedException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public DataKeyExhaustedException(String message) {
    super(message);
  }

  public DataKeyExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
