package io.columnseal.manifest;

import io.columnseal.ColumnsealException;

/**
 * Base of the manifest errors. Messages name the dataset, the commit number and the file, never
 * wrapped-key blobs or anything else read from a commit's key fields.
 */
public abstract class ManifestException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  protected ManifestException(String message) {
    super(message);
  }

  protected ManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
