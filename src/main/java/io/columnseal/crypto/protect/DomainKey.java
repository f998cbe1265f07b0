package io.columnseal.crypto.protect;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.InvalidDataKeyException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The 32-byte key of a token domain (docs/FORMAT.md section 10.1): the root of the
 * deterministic, fpe and token protections of every column in that domain, across datasets.
 * How it is obtained (KMS, a wrapped domain record) is the caller's business; this type only
 * holds it. Each protection takes its own subkey, derived with HKDF-SHA256 under a distinct
 * info string, so one domain key never serves two algorithms.
 *
 * <p>Executor memory only: not {@code Serializable}, {@link #toString()} shows the domain and
 * the key id, never bytes; {@link #destroy()} zeroes it (subkeys already derived belong to
 * their cipher objects, which zero theirs on {@code close()}).
 */
public final class DomainKey implements AutoCloseable, Destroyable {
  public static final int KEY_BYTES = 32;
  /** Longest domain name in UTF-8 bytes (a u16 length carries it in the associated data). */
  public static final int MAX_DOMAIN_BYTES = 0xFFFF;

  static final String INFO_DETERMINISTIC = "columnseal deterministic v1";
  static final String INFO_FF1 = "columnseal ff1 v1";
  static final String INFO_TOKEN = "columnseal token v1";

  private final String domain;
  private final byte[] domainUtf8;
  private final DekId id;
  private final byte[] key;
  private boolean destroyed;

  private DomainKey(String domain, byte[] domainUtf8, DekId id, byte[] key) {
    this.domain = domain;
    this.domainUtf8 = domainUtf8;
    this.id = id;
    this.key = key;
  }

  /**
   * Takes a copy of {@code keyBytes}; the caller should zero its own array.
   *
   * @param domain the domain name, bound into every cell, tweak and token (not empty)
   * @param id the key's 8-byte id, written in deterministic cells so a reader picks the key
   * @throws InvalidDataKeyException if the key is not 32 bytes or is all zero
   */
  public static DomainKey of(String domain, DekId id, byte[] keyBytes) {
    if (domain == null || domain.isEmpty()) {
      throw new IllegalArgumentException("a domain key needs a non-empty domain name");
    }
    if (id == null) {
      throw new IllegalArgumentException("domain key of domain " + domain + " needs an id");
    }
    byte[] name = domain.getBytes(StandardCharsets.UTF_8);
    if (name.length > MAX_DOMAIN_BYTES) {
      throw new IllegalArgumentException("domain name is longer than " + MAX_DOMAIN_BYTES + " UTF-8 bytes");
    }
    if (keyBytes == null || keyBytes.length != KEY_BYTES) {
      throw new InvalidDataKeyException("domain key " + id + " of domain " + domain + " must be " + KEY_BYTES
          + " bytes, got " + (keyBytes == null ? "none" : keyBytes.length + " bytes"));
    }
    int acc = 0;
    for (byte b : keyBytes) {
      acc |= b;
    }
    if (acc == 0) {
      throw new InvalidDataKeyException("domain key " + id + " of domain " + domain + " is all zero bytes; refusing it");
    }
    return new DomainKey(domain, name, id, keyBytes.clone());
  }

  public String domain() {
    return domain;
  }

  public DekId id() {
    return id;
  }

  byte[] domainUtf8() {
    return domainUtf8;
  }

  /**
   * HKDF-SHA256 (RFC 5869): salt empty (so HashLen zero bytes), IKM the domain key, info the
   * protection's ASCII label, L = 32. The caller zeroes the result when done.
   */
  byte[] derive(String info) {
    checkLive();
    return hkdfSha256(key, null, info.getBytes(StandardCharsets.US_ASCII), KEY_BYTES);
  }

  /** RFC 5869 with SHA-256; a null or empty salt is HashLen zero bytes (section 2.2). */
  static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, salt, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("domain key " + id + " of domain " + domain + " has been destroyed");
    }
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "DomainKey[domain=" + domain + ", id=" + id + (destroyed ? ", destroyed" : "") + "]";
  }
}
