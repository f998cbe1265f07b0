package io.columnseal.kms;

/** A master key's state, as KMS names them. Only {@link #ENABLED} keys wrap or unwrap. */
public enum KeyState {
  ENABLED("Enabled"),
  DISABLED("Disabled"),
  PENDING_DELETION("PendingDeletion"),
  PENDING_IMPORT("PendingImport"),
  UNAVAILABLE("Unavailable");

  private final String kmsName;

  KeyState(String kmsName) {
    this.kmsName = kmsName;
  }

  public String kmsName() {
    return kmsName;
  }

  public static KeyState fromKmsName(String name) {
    for (KeyState s : values()) {
      if (s.kmsName.equals(name)) {
        return s;
      }
    }
    return UNAVAILABLE;
  }
}
