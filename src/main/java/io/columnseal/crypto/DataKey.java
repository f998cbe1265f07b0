package io.columnseal.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * A plaintext data encryption key (AES-256) and its id. Lives only in executor memory: never
 * serialised (the class is not {@code Serializable}), never printed ({@link #toString()} shows
 * the id only), and zeroed by {@link #destroy()} when the partition that used it ends.
 */
public final class DataKey implements AutoCloseable, Destroyable {
  public static final int KEY_BYTES = 32;

  private final DekId id;
  private final byte[] key;
  private boolean destroyed;
  private boolean sealerOpened;

  private DataKey(DekId id, byte[] key) {
    this.id = id;
    this.key = key;
  }

  /**
   * Takes a copy of {@code keyBytes}; the caller should zero its own array.
   *
   * @throws InvalidDataKeyException if the key is not 32 bytes or is all zero (a KMS or
   *     keyring fault that must never be used to seal data)
   */
  public static DataKey of(DekId id, byte[] keyBytes) {
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
    return new DataKey(id, keyBytes.clone());
  }

  public DekId id() {
    return id;
  }

  /** A JCE view of the key. The JCE copies the bytes it needs on each {@code Cipher.init}. */
  SecretKey jceKey() {
    checkLive();
    return new AesKeyView();
  }

  /**
   * Marks this key as taken by its one {@link CellEncryptor}. Every encryptor counts nonces
   * from 0 (docs/FORMAT.md section 2.2), so a second encryptor on the same key would repeat
   * nonces; refusing it here makes that impossible rather than a caller's duty.
   */
  void claimForSealing() {
    checkLive();
    if (sealerOpened) {
      throw new IllegalStateException("data key " + id + " already has a cell encryptor; a DEK seals through one "
          + "encryptor only, so its nonces never repeat");
    }
    sealerOpened = true;
  }

  /** A copy of the key bytes, for a key service that must wrap them. Zero it after use. */
  public byte[] copyKeyBytes() {
    checkLive();
    return key.clone();
  }

  /** Constant-time comparison of the key bytes (and the ids). */
  public boolean sameKeyAs(DataKey other) {
    checkLive();
    other.checkLive();
    return id.equals(other.id) && MessageDigest.isEqual(key, other.key);
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "DataKey[id=" + id + (destroyed ? ", destroyed" : "") + "]";
  }

  void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("data key " + id + " has been destroyed");
    }
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
