package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;

/**
 * The seam where the joinable protections plug in. deterministic, fpe and token are parsed,
 * checked and recorded, but their primitives (package io.columnseal.crypto.protect) are not in
 * this build: a run that asks for one is refused before any Spark job or KMS call. To add one,
 * return true here and give it a case in PartitionSealer.
 */
final class ProtectionSupport {
  private ProtectionSupport() {}

  static boolean available(Protection p) {
    switch (p) {
      case RANDOMIZED:
      case MASK:
      case DROP:
        return true;
      case DETERMINISTIC:
      case FPE:
      case TOKEN:
      default:
        return false;
    }
  }

  /** @throws ConfigException naming the first column whose protection this build cannot apply */
  static void checkAvailable(EncryptSettings s) {
    for (ColumnPolicy p : s.policies) {
      if (!available(p.protection)) {
        throw new ConfigException("protection " + p.protection.configName() + " of column " + p.name
            + " is not available yet");
      }
    }
  }
}
