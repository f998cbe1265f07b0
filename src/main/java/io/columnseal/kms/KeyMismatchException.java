package io.columnseal.kms;

/** The key that answered is not the key the manifest says wrapped the DEK. */
public final class KeyMismatchException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyMismatchException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KeyMismatchException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
