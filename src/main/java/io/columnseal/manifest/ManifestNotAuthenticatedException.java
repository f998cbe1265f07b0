package io.columnseal.manifest;

/**
 * The commit a reader or writer would trust is not authenticated by manifest.macKey: it carries
 * no MAC, or its MAC does not verify under the configured key (docs/FORMAT.md 5.4, 5.6). Raised
 * before any data key is unwrapped, generated or re-encrypted.
 */
public final class ManifestNotAuthenticatedException extends ManifestException {
  private static final long serialVersionUID = 1L;

  public ManifestNotAuthenticatedException(String message) {
    super(message);
  }
}
