package io.columnseal.manifest;

/** A version was asked for that the manifest does not have (yet). */
public final class NoSuchManifestVersionException extends ManifestException {
  private static final long serialVersionUID = 1L;

  public NoSuchManifestVersionException(String message) {
    super(message);
  }
}
