package io.columnseal.kms;

import io.columnseal.ColumnsealException;

/** A key-service failure; the message names the operation and the key, never key bytes. */
public abstract class KmsException extends ColumnsealException {
  private static final long serialVersionUID = 1L;
  private final String operation;
  private final String keyId;

  protected KmsException(String operation, String keyId, String detail, Throwable cause) {
    super(operation + " on key " + keyId + ": " + detail, cause);
    this.operation = operation;
    this.keyId = keyId;
  }

  /** The KMS operation, e.g. {@code GenerateDataKey}. */
  public String operation() {
    return operation;
  }

  /** The key id, ARN or alias the operation was about. */
  public String keyId() {
    return keyId;
  }
}
