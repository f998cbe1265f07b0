package io.columnseal.crypto;

/**
 * The key bytes of a DEK handed to Parquet modular encryption (page mode, docs/FORMAT.md section
 * 12), whose API takes column and footer keys as {@code byte[]} and keeps them in its encryptor
 * and decryptor objects while a file is open. The only way key bytes leave {@link SealingKey} or
 * {@link OpeningKey} for data: the caller zeros its copy when the file is done with it.
 */
public final class PageKeyBytes {
  private PageKeyBytes() {}

  /**
   * A copy of a generated DEK's bytes for PME's writer. The key is claimed like a cell
   * encryptor's: PME draws random GCM nonces under it, so no cell encryptor (counter nonces) may
   * ever use the same key.
   */
  public static byte[] forWriting(SealingKey key) {
    key.claimForSealing();
    return key.material().copy();
  }

  /** A copy of an unwrapped DEK's bytes for PME's reader (a key retriever's answer). */
  public static byte[] forReading(OpeningKey key) {
    key.checkLive();
    return key.material().copy();
  }
}
