package io.columnseal.kms;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A DEK as KMS wrapped it: the raw CiphertextBlob (kept whole so ReEncrypt can work on it) and
 * the ARN of the master key that KMS said wrapped it. Not secret.
 */
public final class WrappedKey {
  private final String keyArn;
  private final byte[] blob;

  public WrappedKey(String keyArn, byte[] blob) {
    this.keyArn = Objects.requireNonNull(keyArn, "keyArn");
    if (blob == null || blob.length == 0) {
      throw new IllegalArgumentException("a wrapped key needs a ciphertext blob");
    }
    this.blob = blob.clone();
  }

  public String keyArn() {
    return keyArn;
  }

  public byte[] blob() {
    return blob.clone();
  }

  public String blobBase64() {
    return Base64.getEncoder().encodeToString(blob);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey && ((WrappedKey) o).keyArn.equals(keyArn) && Arrays.equals(((WrappedKey) o).blob, blob);
  }

  @Override
  public int hashCode() {
    return 31 * keyArn.hashCode() + Arrays.hashCode(blob);
  }

  @Override
  public String toString() {
    return "WrappedKey[" + keyArn + ", " + blob.length + " bytes]";
  }
}
