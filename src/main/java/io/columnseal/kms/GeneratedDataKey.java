package io.columnseal.kms;

import io.columnseal.crypto.SealingKey;

/**
 * What GenerateDataKey returns: the plaintext DEK (executor memory only; the caller destroys it)
 * and the same DEK wrapped under the master key.
 */
public record GeneratedDataKey(SealingKey plaintext, WrappedKey wrapped) {
  // Ids only: the record's own toString would print the key objects.
  @Override
  public String toString() {
    return "GeneratedDataKey[" + plaintext.id() + ", " + wrapped.keyArn() + "]";
  }
}
