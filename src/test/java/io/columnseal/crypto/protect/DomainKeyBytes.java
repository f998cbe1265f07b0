package io.columnseal.crypto.protect;

import java.security.MessageDigest;
import java.util.Arrays;

/** Test access to a domain key's identity: equal keys derive equal subkeys (bytes never printed). */
public final class DomainKeyBytes {
  private DomainKeyBytes() {}

  public static boolean same(DomainKey a, DomainKey b) {
    byte[] x = a.derive(DomainKey.INFO_TOKEN);
    byte[] y = b.derive(DomainKey.INFO_TOKEN);
    try {
      return a.domain().equals(b.domain()) && a.id().equals(b.id()) && MessageDigest.isEqual(x, y);
    } finally {
      Arrays.fill(x, (byte) 0);
      Arrays.fill(y, (byte) 0);
    }
  }
}
