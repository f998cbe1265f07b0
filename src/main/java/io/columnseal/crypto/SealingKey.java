package io.columnseal.crypto;

import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * A plaintext DEK fresh from GenerateDataKey: the only key type {@link CellEncryptor#open}
 * takes, and it opens exactly one encryptor (whose counter starts at 0, docs/FORMAT.md section
 * 2.2). A DEK that came back from Decrypt is an {@link OpeningKey}, a different type, so
 * sealing under an unwrapped DEK (and repeating its nonces) does not compile. Executor memory
 * only: not {@code Serializable}, {@link #toString()} shows the id, zeroed by {@link #destroy()}.
 */
public final class SealingKey implements AutoCloseable, Destroyable {
  public static final int KEY_BYTES = KeyMaterial.KEY_BYTES;

  private final KeyMaterial material;
  private boolean sealerOpened;

  private SealingKey(KeyMaterial material) {
    this.material = material;
  }

  /**
   * For a key service's GenerateDataKey (and tests). Takes a copy of {@code keyBytes}; the
   * caller should zero its own array.
   *
   * @throws InvalidDataKeyException if the key is not 32 bytes or is all zero
   */
  public static SealingKey of(DekId id, byte[] keyBytes) {
    return new SealingKey(KeyMaterial.of(id, keyBytes));
  }

  public DekId id() {
    return material.id();
  }

  SecretKey jceKey() {
    return material.jceKey();
  }

  void checkLive() {
    material.checkLive();
  }

  /**
   * Marks this key as taken by its one {@link CellEncryptor}. Every encryptor counts nonces
   * from 0, so a second encryptor on the same key would repeat nonces; refusing it here makes
   * that impossible rather than a caller's duty.
   */
  void claimForSealing() {
    material.checkLive();
    if (sealerOpened) {
      throw new IllegalStateException("data key " + id() + " already has a cell encryptor; a DEK seals through one "
          + "encryptor only, so its nonces never repeat");
    }
    sealerOpened = true;
  }

  /** A copy of the key bytes, for a key service that must wrap them. Zero it after use. */
  public byte[] copyKeyBytes() {
    return material.copy();
  }

  /** Constant-time comparison of the key bytes (and the ids). */
  public boolean sameKeyAs(SealingKey other) {
    return material.same(other.material);
  }

  /** Constant-time comparison with an unwrapped DEK: true when Decrypt gave this key back. */
  public boolean sameKeyAs(OpeningKey other) {
    return other.sameKeyAs(this);
  }

  KeyMaterial material() {
    return material;
  }

  @Override
  public void destroy() {
    material.destroy();
  }

  @Override
  public boolean isDestroyed() {
    return material.isDestroyed();
  }

  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return material.describe("SealingKey");
  }
}
