package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.DeterministicCipher;
import io.columnseal.crypto.protect.FormatPreservingCipher;
import io.columnseal.crypto.protect.Tokenizer;
import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.kms.KeyServiceSpec;

/**
 * One task's ciphers of its deterministic, fpe and token columns, opened on each column's first
 * value: the domain key comes from the JVM's cache (one unwrap per JVM), leased for the task
 * and released, with every cipher closed, when the task ends.
 */
final class DomainSealers {
  private final DomainProtection[] of;
  private final KeyServiceSpec keyService;
  private final DomainKeyCache.Lease[] leases;
  private final AutoCloseable[] ciphers;

  DomainSealers(DomainProtection[] of, KeyServiceSpec keyService) {
    this.of = of;
    this.keyService = keyService;
    this.leases = new DomainKeyCache.Lease[of.length];
    this.ciphers = new AutoCloseable[of.length];
  }

  DeterministicCipher deterministic(int k) {
    if (ciphers[k] == null) {
      ciphers[k] = DeterministicCipher.open(lease(k).key());
    }
    return (DeterministicCipher) ciphers[k];
  }

  FormatPreservingCipher fpe(int k) {
    if (ciphers[k] == null) {
      ciphers[k] = FormatPreservingCipher.open(lease(k).key(), of[k].fpeOptions());
    }
    return (FormatPreservingCipher) ciphers[k];
  }

  Tokenizer tokenizer(int k) {
    if (ciphers[k] == null) {
      ciphers[k] = Tokenizer.open(lease(k).key(), of[k].tokenBytes);
    }
    return (Tokenizer) ciphers[k];
  }

  private DomainKeyCache.Lease lease(int k) {
    if (leases[k] == null) {
      leases[k] = of[k].key.open(keyService);
    }
    return leases[k];
  }

  /** Closes every cipher (zeroing its subkey) and releases the leases; safe to call twice. */
  void closeAll() {
    for (int k = 0; k < of.length; k++) {
      if (ciphers[k] != null) {
        try {
          ciphers[k].close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the cipher of a protected column failed", e);
        }
        ciphers[k] = null;
      }
      if (leases[k] != null) {
        leases[k].close();
        leases[k] = null;
      }
    }
  }
}
