package io.columnseal.manifest;

/**
 * A commit file failed its integrity check: its bytes are not the canonical form, its digest
 * does not match its content, its parent digest does not match the previous commit, or it sits
 * under another commit's number. Any changed byte of a committed file ends up here (or, if the
 * change breaks the JSON itself, in {@link ManifestCorruptException}).
 */
public final class ManifestTamperedException extends ManifestException {
  private static final long serialVersionUID = 1L;
  private final String file;

  public ManifestTamperedException(String file, String detail) {
    super("manifest file " + file + " failed its integrity check: " + detail);
    this.file = file;
  }

  public String file() {
    return file;
  }
}
