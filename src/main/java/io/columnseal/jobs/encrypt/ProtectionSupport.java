package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.Protection;
import io.columnseal.ConfigException;

/**
 * Which protections this build applies: all of them (deterministic, fpe and token seal under
 * their domain's key in PartitionSealer). A protection added to the enum stays refused here,
 * before any Spark job or KMS call, until it has a case in PartitionSealer.
 */
final class ProtectionSupport {
  private ProtectionSupport() {}

  static boolean available(Protection p) {
    switch (p) {
      case RANDOMIZED:
      case MASK:
      case DROP:
      case DETERMINISTIC:
      case FPE:
      case TOKEN:
        return true;
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
