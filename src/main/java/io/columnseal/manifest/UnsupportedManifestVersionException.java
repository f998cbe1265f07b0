package io.columnseal.manifest;

/** A commit file declares a format version this build of columnseal does not know. */
public final class UnsupportedManifestVersionException extends ManifestException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final long version;

  public UnsupportedManifestVersionException(String file, long version) {
    super("manifest file " + file + " has format version " + version + "; this columnseal reads format versions 1 to "
        + Commit.FORMAT_VERSION + " only (upgrade columnseal to read it)");
    this.file = file;
    this.version = version;
  }

  public String file() {
    return file;
  }

  public long version() {
    return version;
  }
}
