package io.columnseal.kms;

/**
 * The kinds of master key columnseal uses, with KMS's names for the key spec and the key usage
 * that goes with it. A key does one job: an AES key wraps DEKs, an HMAC key makes and checks
 * MACs; asking either for the other's operation fails as in KMS (InvalidKeyUsageException).
 */
public enum KeySpec {
  /** AES-256-GCM key for GenerateDataKey, Decrypt and ReEncrypt. */
  SYMMETRIC_DEFAULT("ENCRYPT_DECRYPT"),
  /** 256-bit HMAC key for GenerateMac and VerifyMac with HMAC_SHA_256. Never rotates (as in KMS). */
  HMAC_256("GENERATE_VERIFY_MAC");

  private final String keyUsage;

  KeySpec(String keyUsage) {
    this.keyUsage = keyUsage;
  }

  /** KMS's KeySpec name, e.g. {@code HMAC_256}. */
  public String kmsName() {
    return name();
  }

  /** KMS's KeyUsage for keys of this spec, e.g. {@code GENERATE_VERIFY_MAC}. */
  public String keyUsage() {
    return keyUsage;
  }

  /** The spec of a KMS KeySpec name, or null for one columnseal does not use. */
  public static KeySpec fromKmsName(String name) {
    for (KeySpec s : values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
