package io.columnseal.kms;

import io.columnseal.crypto.SealingKey;

/**
 * What GenerateDataKey returns: the plaintext DEK (executor memory only; the caller destroys it)
 * and the same DEK wrapped under the master key.
 */
public final class GeneratedDataKey {
  private final SealingKey plaintext;
  private final WrappedKey wrapped;

  public GeneratedDataKey(SealingKey plaintext, WrappedKey wrapped) {
    this.plaintext = plaintext;
    this.wrapped = wrapped;
  }

  public SealingKey plaintext() {
    return plaintext;
  }

  public WrappedKey wrapped() {
    return wrapped;
  }

  @Override
  public String toString() {
    return "GeneratedDataKey[" + plaintext.id() + ", " + wrapped.keyArn() + "]";
  }
}
