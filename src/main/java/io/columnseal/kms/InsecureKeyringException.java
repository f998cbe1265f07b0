package io.columnseal.kms;

/** A local keyring file that group or others may read or write: refused, never used. */
public final class InsecureKeyringException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InsecureKeyringException(String operation, String keyId, String detail) {
    super(operation, keyId, detail, null);
  }
}
