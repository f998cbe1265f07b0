package io.columnseal.kms;

import java.util.Objects;

/**
 * What GenerateMac returns: an HMAC_SHA_256 tag and the ARN of the HMAC key that made it (the
 * ARN to record, and to name when verifying). A MAC is not secret.
 */
public final class GeneratedMac {
  public static final String ALGORITHM = "HMAC_SHA_256";
  public static final int LENGTH = 32;

  private final String keyArn;
  private final byte[] mac;

  public GeneratedMac(String keyArn, byte[] mac) {
    this.keyArn = Objects.requireNonNull(keyArn, "keyArn");
    if (mac == null || mac.length != LENGTH) {
      throw new IllegalArgumentException("an " + ALGORITHM + " MAC is " + LENGTH + " bytes");
    }
    this.mac = mac.clone();
  }

  public String keyArn() {
    return keyArn;
  }

  /** A copy of the tag. */
  public byte[] mac() {
    return mac.clone();
  }

  @Override
  public String toString() {
    return "GeneratedMac[" + ALGORITHM + ", " + keyArn + "]";
  }
}
