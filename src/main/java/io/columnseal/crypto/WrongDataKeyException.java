package io.columnseal.crypto;

/** A cell presented to a decryptor holding another DEK than the one the cell names. */
public final class WrongDataKeyException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public WrongDataKeyException(String message) {
    super(message);
  }

  public WrongDataKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
