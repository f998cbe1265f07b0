package io.columnseal.kms;

/** The key service kept throttling after the retries were spent (KMS ThrottlingException). */
public final class KmsThrottledException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KmsThrottledException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KmsThrottledException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
