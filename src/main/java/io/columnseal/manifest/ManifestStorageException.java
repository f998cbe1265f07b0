package io.columnseal.manifest;

import java.io.IOException;

/** The file system failed while listing, reading or writing the manifest. */
public final class ManifestStorageException extends ManifestException {
  private static final long serialVersionUID = 1L;

  public ManifestStorageException(String message, IOException cause) {
    super(message + ": " + cause, cause);
  }
}
