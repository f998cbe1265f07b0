package io.columnseal.kms;

/** The wrapped blob was altered, or the encryption context differs from the one it was wrapped with (KMS InvalidCiphertextException). */
public final class InvalidCiphertextException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidCiphertextException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public InvalidCiphertextException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
