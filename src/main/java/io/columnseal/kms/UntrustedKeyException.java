package io.columnseal.kms;

import io.columnseal.ColumnsealException;

/** A DEK is wrapped under a master key that {@code kms.allowedKeys} does not allow. Names ARNs and counts only. */
public final class UntrustedKeyException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  public UntrustedKeyException(String message) {
    super(message);
  }
}
