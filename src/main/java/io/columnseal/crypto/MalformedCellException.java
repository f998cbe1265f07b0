package io.columnseal.crypto;

/** A cell too short for its layout, or a plaintext that is not a valid encoding of its type. */
public final class MalformedCellException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public MalformedCellException(String message) {
    super(message);
  }

  public MalformedCellException(String message, Throwable cause) {
    super(message, cause);
  }
}
