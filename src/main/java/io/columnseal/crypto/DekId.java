package io.columnseal.crypto;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The public name of a data encryption key: 8 random bytes, written as 16 lower-case hex
 * digits in the manifest and in KMS encryption contexts, and stored raw in every cell
 * (docs/FORMAT.md section 2). Not secret.
 *
 * <p>64 random bits keep ids of independent writers apart without coordination: a dataset
 * with a million DEKs has a collision chance near 2^-25, and the manifest refuses a commit
 * that would reuse an id, so a collision can fail a run but never mix two keys.
 */
public final class DekId implements Comparable<DekId> {
  public static final int LENGTH = 8;
  private static final HexFormat HEX = HexFormat.of();

  private final long value;

  private DekId(long value) {
    this.value = value;
  }

  public static DekId random(SecureRandom random) {
    return new DekId(random.nextLong());
  }

  public static DekId fromLong(long value) {
    return new DekId(value);
  }

  /** Reads 8 bytes big-endian at {@code offset}. */
  public static DekId fromBytes(byte[] bytes, int offset) {
    if (offset < 0 || bytes.length - offset < LENGTH) {
      throw new IllegalArgumentException("a DEK id needs " + LENGTH + " bytes at offset " + offset
          + " of a " + bytes.length + "-byte array");
    }
    long v = 0;
    for (int i = 0; i < LENGTH; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFF);
    }
    return new DekId(v);
  }

  /**
   * Parses the 16-lower-case-hex-digit form used in manifests and encryption contexts. Only
   * that one spelling is accepted, so an id and its string map one to one (an encryption
   * context compares strings). A rejected input is never echoed: a caller that passed key hex
   * or another secret by mistake must not see it in a log.
   */
  public static DekId parse(String hex) {
    if (hex == null) {
      throw new IllegalArgumentException("a DEK id is " + (2 * LENGTH) + " lower-case hex digits, got none");
    }
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("a DEK id is " + (2 * LENGTH) + " lower-case hex digits, got "
          + hex.length() + " characters");
    }
    long v = 0;
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) {
        // Not quoted: 16 characters of anything could be part of a secret pasted in the wrong place.
        throw new IllegalArgumentException("a DEK id is " + (2 * LENGTH) + " lower-case hex digits, got a character"
            + " that is not one at position " + (i + 1));
      }
      v = (v << 4) | digit;
    }
    return new DekId(v);
  }

  public long asLong() {
    return value;
  }

  public void writeTo(byte[] out, int offset) {
    for (int i = LENGTH - 1; i >= 0; i--) {
      out[offset + i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
    }
  }

  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    writeTo(out, 0);
    return out;
  }

  public String hex() {
    return HEX.formatHex(toBytes());
  }

  @Override
  public String toString() {
    return hex();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DekId && ((DekId) o).value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  @Override
  public int compareTo(DekId o) {
    return Long.compareUnsigned(value, o.value);
  }
}
