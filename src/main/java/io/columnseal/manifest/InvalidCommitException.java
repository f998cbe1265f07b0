package io.columnseal.manifest;

/**
 * A commit breaks a replay rule against the state it would follow (docs/FORMAT.md section 5):
 * a DEK id already present, a rewrap of an unknown DEK, a changed schema in an append, and so
 * on. Raised before anything is written. Not retryable as is.
 */
public final class InvalidCommitException extends ManifestException {
  private static final long serialVersionUID = 1L;

  public InvalidCommitException(String message) {
    super(message);
  }
}
