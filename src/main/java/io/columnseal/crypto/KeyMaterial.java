package io.columnseal.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * The bytes of one plaintext DEK (AES-256) and its id, shared by {@link SealingKey} and
 * {@link OpeningKey}, which are unrelated types so that one can never stand for the other.
 * Never serialised (not {@code Serializable}), never printed, zeroed by {@link #destroy()}.
 */
final class KeyMaterial {
  static final int KEY_BYTES = 32;

  private final DekId id;
  private final byte[] key;
  private boolean destroyed;

  private KeyMaterial(DekId id, byte[] key) {
    this.id = id;
    this.key = key;
  }

  /**
   * Takes a copy of {@code keyBytes}; the caller should zero its own array.
   *
   * @throws InvalidDataKeyException if the key is not 32 bytes or is all zero (a KMS or
   *     keyring fault that must never be used)
   */
  static KeyMaterial of(DekId id, byte[] keyBytes) {
    if (id == null) {
      throw new IllegalArgumentException("a data key needs an id");
    }
    if (keyBytes == null || keyBytes.length != KEY_BYTES) {
      throw new InvalidDataKeyException(
          "data key " + id + " must be " + KEY_BYTES + " bytes (AES-256), got "
              + (keyBytes == null ? "none" : keyBytes.length + " bytes"));
    }
    int acc = 0;
    for (byte b : keyBytes) {
      acc |= b;
    }
    if (acc == 0) {
      throw new InvalidDataKeyException("data key " + id + " is all zero bytes; refusing to use it");
    }
    return new KeyMaterial(id, keyBytes.clone());
  }

  DekId id() {
    return id;
  }

  /** A JCE view of the key. The JCE copies the bytes it needs on each {@code Cipher.init}. */
  SecretKey jceKey() {
    checkLive();
    return new AesKeyView();
  }

  byte[] copy() {
    checkLive();
    return key.clone();
  }

  /** Constant-time comparison of the key bytes (and the ids). */
  boolean same(KeyMaterial other) {
    checkLive();
    other.checkLive();
    return id.equals(other.id) && MessageDigest.isEqual(key, other.key);
  }

  void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  boolean isDestroyed() {
    return destroyed;
  }

  void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("data key " + id + " has been destroyed");
    }
  }

  /** {@code Type[id=...]}, never the bytes. */
  String describe(String type) {
    return type + "[id=" + id + (destroyed ? ", destroyed" : "") + "]";
  }

  /** Hands the JCE a fresh copy per call, so zeroing {@link #key} is never undone by it. */
  private final class AesKeyView implements SecretKey {
    private static final long serialVersionUID = 1L;

    @Override
    public String getAlgorithm() {
      return "AES";
    }

    @Override
    public String getFormat() {
      return "RAW";
    }

    @Override
    public byte[] getEncoded() {
      checkLive();
      return key.clone();
    }

    @Override
    public String toString() {
      return "AesKeyView[" + id + "]";
    }
  }
}
