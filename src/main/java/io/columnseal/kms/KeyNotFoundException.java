package io.columnseal.kms;

/** No key or alias by that name (KMS NotFoundException). */
public final class KeyNotFoundException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyNotFoundException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KeyNotFoundException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
