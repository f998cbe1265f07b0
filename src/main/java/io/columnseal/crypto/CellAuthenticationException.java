package io.columnseal.crypto;

/** The GCM tag did not verify: a changed byte, other associated data (column, dataset, type) or another key. */
public final class CellAuthenticationException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public CellAuthenticationException(String message) {
    super(message);
  }

  public CellAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
