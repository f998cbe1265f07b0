package io.columnseal.kms;

/**
 * The key exists but its usage does not allow the operation (KMS InvalidKeyUsageException): an
 * HMAC key asked to wrap a DEK, or an AES key asked for a MAC.
 */
public final class InvalidKeyUsageException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidKeyUsageException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public InvalidKeyUsageException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
