package io.columnseal.crypto;

/** A cell whose format version this build does not know (docs/FORMAT.md section 2). */
public final class UnsupportedCellVersionException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCellVersionException(String message) {
    super(message);
  }

  public UnsupportedCellVersionException(String message, Throwable cause) {
    super(message, cause);
  }
}
