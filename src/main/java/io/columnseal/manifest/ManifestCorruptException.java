package io.columnseal.manifest;

/**
 * The manifest log cannot be read as a valid history: a commit file is not JSON, lacks a field,
 * holds a value of the wrong shape, breaks a replay rule, or a commit number is missing.
 */
public final class ManifestCorruptException extends ManifestException {
  private static final long serialVersionUID = 1L;
  private final String location;

  /**
   * @param location the commit file or log directory at fault
   * @param detail what is wrong, without any key material
   */
  public ManifestCorruptException(String location, String detail) {
    this(location, detail, null);
  }

  public ManifestCorruptException(String location, String detail, Throwable cause) {
    super("manifest " + location + " is corrupt: " + detail, cause);
    this.location = location;
  }

  /** The commit file or log directory at fault. */
  public String location() {
    return location;
  }
}
