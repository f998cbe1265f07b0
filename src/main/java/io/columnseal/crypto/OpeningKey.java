package io.columnseal.crypto;

import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * A plaintext DEK that came back from Decrypt (unwrapped from the manifest): it builds
 * {@link CellDecryptor}s only. {@link CellEncryptor#open} takes a {@link SealingKey}, a
 * different type, so a DEK whose cells already exist can never seal more (and repeat nonces):
 * the compiler refuses it. There is no way to read its bytes back out. Executor memory only:
 * not {@code Serializable}, {@link #toString()} shows the id, zeroed by {@link #destroy()}.
 */
public final class OpeningKey implements AutoCloseable, Destroyable {
  public static final int KEY_BYTES = KeyMaterial.KEY_BYTES;

  private final KeyMaterial material;

  private OpeningKey(KeyMaterial material) {
    this.material = material;
  }

  /**
   * For a key service's Decrypt (and tests). Takes a copy of {@code keyBytes}; the caller
   * should zero its own array.
   *
   * @throws InvalidDataKeyException if the key is not 32 bytes or is all zero
   */
  public static OpeningKey of(DekId id, byte[] keyBytes) {
    return new OpeningKey(KeyMaterial.of(id, keyBytes));
  }

  public DekId id() {
    return material.id();
  }

  KeyMaterial material() {
    return material;
  }

  SecretKey jceKey() {
    return material.jceKey();
  }

  void checkLive() {
    material.checkLive();
  }

  /** Constant-time comparison of the key bytes (and the ids). */
  public boolean sameKeyAs(OpeningKey other) {
    return material.same(other.material);
  }

  /** Constant-time comparison with a generated DEK: true when this is that DEK unwrapped. */
  public boolean sameKeyAs(SealingKey other) {
    return material.same(other.material());
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
    return material.describe("OpeningKey");
  }
}
