package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.RewrappedDek;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One ReEncrypt result: which DEK, the wrapping it came from (key ARN and the SHA-256 of the
 * source blob), and the new wrapping. Wrapped keys only, never plaintext. An entry applies to
 * a manifest state only while the DEK there still has exactly that source wrapping, so a
 * result computed against an older state is never committed.
 */
final class RewrapEntry {
  final DekId id;
  final String fromKeyArn;
  final byte[] sourceSha256;
  final String toKeyArn;
  final byte[] newBlob;

  RewrapEntry(DekId id, String fromKeyArn, byte[] sourceSha256, String toKeyArn, byte[] newBlob) {
    this.id = Objects.requireNonNull(id, "id");
    this.fromKeyArn = Objects.requireNonNull(fromKeyArn, "fromKeyArn");
    if (sourceSha256 == null || sourceSha256.length != 32) {
      throw new IllegalArgumentException("the source blob digest of DEK " + id + " must be 32 bytes");
    }
    this.sourceSha256 = sourceSha256;
    this.toKeyArn = Objects.requireNonNull(toKeyArn, "toKeyArn");
    if (newBlob == null || newBlob.length == 0) {
      throw new IllegalArgumentException("the new blob of DEK " + id + " is empty");
    }
    this.newBlob = newBlob;
  }

  static RewrapEntry of(DekRecord source, WrappedKey reEncrypted) {
    return new RewrapEntry(source.id(), source.keyArn(), sha256(source.wrappedKey()), reEncrypted.keyArn(),
        reEncrypted.blob());
  }

  /** True when {@code current} is the wrapping this entry was computed from, and it went to {@code targetArn}. */
  boolean appliesTo(DekRecord current, String targetArn) {
    return current.id().equals(id) && current.keyArn().equals(fromKeyArn) && toKeyArn.equals(targetArn)
        && MessageDigest.isEqual(sha256(current.wrappedKey()), sourceSha256);
  }

  RewrappedDek toRewrapped() {
    return RewrappedDek.of(id, fromKeyArn, toKeyArn, newBlob);
  }

  WrappedKey newWrapping() {
    return new WrappedKey(toKeyArn, newBlob);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RewrapEntry)) {
      return false;
    }
    RewrapEntry e = (RewrapEntry) o;
    return e.id.equals(id) && e.fromKeyArn.equals(fromKeyArn) && Arrays.equals(e.sourceSha256, sourceSha256)
        && e.toKeyArn.equals(toKeyArn) && Arrays.equals(e.newBlob, newBlob);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, fromKeyArn, toKeyArn);
  }

  @Override
  public String toString() {
    return "RewrapEntry[" + id + ", " + fromKeyArn + " -> " + toKeyArn + "]";
  }
}
