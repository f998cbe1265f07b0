package io.columnseal.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The {@code mac} member of a format-4 commit (docs/FORMAT.md 5.4): an HMAC_SHA_256 tag made by
 * KMS GenerateMac over {@link #message}, and the ARN KMS answered (for audit only: a reader
 * verifies with the key it is configured with, never with the one a commit names). Not secret.
 */
public final class CommitMac {
  public static final String ALGORITHM = "HMAC_SHA_256";
  public static final int LENGTH = 32;
  private static final String DOMAIN = "columnseal commit mac v1\n";

  private final String keyArn;
  private final byte[] value;

  public CommitMac(String keyArn, byte[] value) {
    this.keyArn = Checks.text(keyArn, "MAC key ARN");
    if (value == null || value.length != LENGTH) {
      throw new IllegalArgumentException("an " + ALGORITHM + " MAC is " + LENGTH + " bytes");
    }
    this.value = value.clone();
  }

  /**
   * The bytes a commit's MAC is made over: ASCII {@code "columnseal commit mac v1\n" + datasetId +
   * "\n" + number + "\n" + digest}. The digest covers the parent digest, so the MAC of a head
   * authenticates the whole chain before it.
   */
  public static byte[] message(String datasetId, long number, String digest) {
    return (DOMAIN + datasetId + "\n" + number + "\n" + digest).getBytes(StandardCharsets.UTF_8);
  }

  public String keyArn() {
    return keyArn;
  }

  public String algorithm() {
    return ALGORITHM;
  }

  /** A copy of the tag. */
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CommitMac && keyArn.equals(((CommitMac) o).keyArn) && Arrays.equals(value, ((CommitMac) o).value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyArn, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "CommitMac[" + ALGORITHM + ", " + keyArn + "]";
  }
}
