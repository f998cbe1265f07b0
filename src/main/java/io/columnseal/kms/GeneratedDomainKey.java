package io.columnseal.kms;

import io.columnseal.crypto.protect.DomainKey;

/**
 * What GenerateDataKey returns for a token domain: the plaintext domain key (executor or driver
 * memory only; the caller destroys it) and the same 32 bytes wrapped under the master key, which
 * the domain record keeps (docs/FORMAT.md, "Domain records").
 */
public record GeneratedDomainKey(DomainKey plaintext, WrappedKey wrapped) {
  // Names only: the record's own toString would print the key object.
  @Override
  public String toString() {
    return "GeneratedDomainKey[" + plaintext.domain() + ", " + plaintext.id() + ", " + wrapped.keyArn() + "]";
  }
}
