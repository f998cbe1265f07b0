package io.columnseal.kms;

/** The caller may not use the key for this operation (KMS AccessDeniedException). */
public final class KmsAccessDeniedException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KmsAccessDeniedException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KmsAccessDeniedException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
