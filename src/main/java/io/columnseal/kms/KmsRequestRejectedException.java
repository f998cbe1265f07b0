package io.columnseal.kms;

/**
 * KMS refused the request for a reason with no type of its own here: a ValidationException,
 * InvalidKeyUsageException (an asymmetric or HMAC key named as master key), an invalid grant
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
