package io.columnseal.kms;

/** A local keyring file that cannot be read: not JSON, a missing field, a bad key length. */
public final class CorruptKeyringException extends KmsException {
  private static final long serialVersionUID = 1L;

  public CorruptKeyringException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }

  public CorruptKeyringException(String operation, String keyId, String detail, Throwable cause) {
    super(operation, keyId, detail, cause);
  }
}
