package io.columnseal.kms;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The CiphertextBlob of a DEK wrapped by the local keyring (docs/FORMAT.md section 6).
 *
 * <pre>
 * offset  size  field
 *  0       4    magic "CSLK" (0x43 0x53 0x4C 0x4B)
 *  4       1    blob version, 1
 *  5      16    master key id: the UUID's 128 bits, big-endian
 * 21       4    master key version, unsigned 32-bit big-endian, from 1
 * 25      12    GCM nonce, random
 * 37      32    AES-256-GCM ciphertext of the DEK
 * 69      16    GCM tag
 * = 85 bytes
 *
 * aad = blob[0..37) | EncryptionContext.canonicalBytes()
 * </pre>
 *
 * The header (including the nonce) is in the associated data, so moving a blob to another
 * key version or id fails authentication like a wrong context does. Nonces are random: NIST SP
 * 800-38D section 8.3 allows 2^32 wraps per key version, far beyond local use.
 */
final class LocalKeyBlob {
  static final byte[] MAGIC = {'C', 'S', 'L', 'K'};
  static final byte VERSION_1 = 1;
  static final int VERSION_OFFSET = 4;
  static final int KEY_ID_OFFSET = 5;
  static final int KEY_VERSION_OFFSET = 21;
  static final int NONCE_OFFSET = 25;
  static final int NONCE_BYTES = 12;
  static final int CIPHERTEXT_OFFSET = NONCE_OFFSET + NONCE_BYTES; // 37
  static final int DEK_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int LENGTH = CIPHERTEXT_OFFSET + DEK_BYTES + TAG_BYTES; // 85

  private LocalKeyBlob() {}

  /** Why {@code blob} is not a v1 local blob, or null if its shape is right. Never shows bytes. */
  static String shapeProblem(byte[] blob) {
    if (blob.length != LENGTH) {
      return "the ciphertext blob is " + blob.length + " bytes; a local keyring blob is " + LENGTH;
    }
    if (!Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return "the ciphertext blob was not made by a local keyring (no CSLK magic)";
    }
    if (blob[VERSION_OFFSET] != VERSION_1) {
      return "the ciphertext blob has version " + (blob[VERSION_OFFSET] & 0xFF) + "; this build reads version " + VERSION_1;
    }
    return null;
  }

  /** The id of the master key that wrapped a blob whose shape was checked. */
  static UUID keyIdOf(byte[] blob) {
    ByteBuffer b = ByteBuffer.wrap(blob, KEY_ID_OFFSET, 16);
    return new UUID(b.getLong(), b.getLong());
  }

  /** The master key version, 1 to 2^32-1, of a blob whose shape was checked. */
  static long keyVersionOf(byte[] blob) {
    return ByteBuffer.wrap(blob, KEY_VERSION_OFFSET, 4).getInt() & 0xFFFFFFFFL;
  }

  /** Wraps {@code dek} under one master key version. Deterministic given the nonce. */
  static byte[] wrap(byte[] masterKey, UUID keyId, int keyVersion, byte[] nonce, byte[] dek, EncryptionContext context) {
    if (dek.length != DEK_BYTES || nonce.length != NONCE_BYTES || keyVersion < 1) {
      throw new IllegalArgumentException("a local blob wraps a " + DEK_BYTES + "-byte DEK with a "
          + NONCE_BYTES + "-byte nonce under a version from 1");
    }
    byte[] blob = new byte[LENGTH];
    ByteBuffer header = ByteBuffer.wrap(blob);
    header.put(MAGIC).put(VERSION_1)
        .putLong(keyId.getMostSignificantBits()).putLong(keyId.getLeastSignificantBits())
        .putInt(keyVersion).put(nonce);
    try {
      Cipher gcm = cipher(Cipher.ENCRYPT_MODE, masterKey, blob, context);
      int written = gcm.doFinal(dek, 0, dek.length, blob, CIPHERTEXT_OFFSET);
      if (written != DEK_BYTES + TAG_BYTES) {
        throw new IllegalStateException("AES-GCM wrote " + written + " bytes for a " + DEK_BYTES + "-byte DEK");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot run AES-256-GCM", e);
    }
    return blob;
  }

  /**
   * The DEK inside a blob whose shape was checked; the caller zeroes it.
   *
   * @throws AEADBadTagException if the blob was altered, the context differs, or the master key
   *     version is not the one that wrapped it
   */
  static byte[] unwrap(byte[] masterKey, byte[] blob, EncryptionContext context) throws AEADBadTagException {
    try {
      Cipher gcm = cipher(Cipher.DECRYPT_MODE, masterKey, blob, context);
      return gcm.doFinal(blob, CIPHERTEXT_OFFSET, DEK_BYTES + TAG_BYTES);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot run AES-256-GCM", e);
    }
  }

  private static Cipher cipher(int mode, byte[] masterKey, byte[] blob, EncryptionContext context)
      throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(mode, new SecretKeySpec(masterKey, "AES"),
        new GCMParameterSpec(TAG_BYTES * 8, blob, NONCE_OFFSET, NONCE_BYTES));
    gcm.updateAAD(blob, 0, CIPHERTEXT_OFFSET);
    gcm.updateAAD(context.canonicalBytes());
    return gcm;
  }
}
