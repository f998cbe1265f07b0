package io.columnseal.kms;

/** The key exists but is disabled or pending deletion (KMS DisabledException, KMSInvalidStateException). */
public final class KeyDisabledException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyDisabledException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KeyDisabledException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
