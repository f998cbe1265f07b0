package io.columnseal.crypto;

/**
 * Test-only ways past the key types' rules, kept out of production code: the counter seam for
 * the 2^32 limit, the bytes of an unwrapped DEK (to search outputs for them), and a sealing key
 * made from an unwrapped DEK (to forge cells in tamper tests; production code cannot do this).
 */
public final class TestKeys {
  private TestKeys() {}

  /** An encryptor whose first cell takes counter {@code firstCounter}, to reach the limit quickly. */
  public static CellEncryptor openAtCounter(SealingKey key, long firstCounter) {
    return CellEncryptor.open(key, firstCounter);
  }

  /** A copy of the bytes of an unwrapped DEK. Zero it after use. */
  public static byte[] bytesOf(OpeningKey key) {
    return key.jceKey().getEncoded();
  }

  /** A sealing key with the bytes of an unwrapped DEK: reuses its nonces, so tamper tests only. */
  public static SealingKey forgedSealingKey(OpeningKey key) {
    byte[] bytes = bytesOf(key);
    try {
      return SealingKey.of(key.id(), bytes);
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }
}
