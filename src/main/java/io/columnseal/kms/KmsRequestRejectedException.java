package io.columnseal.kms;

/**
 * KMS refused the request for a reason with no type of its own here: a ValidationException,
 * a malformed key reference (refused before any call), an invalid grant
 * token. Retrying does not help; the message carries the AWS error code.
 */
public final class KmsRequestRejectedException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KmsRequestRejectedException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public KmsRequestRejectedException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
