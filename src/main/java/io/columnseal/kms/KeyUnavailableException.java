package io.columnseal.kms;

/** The key service could not be reached or answered with a server error after the retries. */
public final class KeyUnavailableException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyUnavailableException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KeyUnavailableException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
