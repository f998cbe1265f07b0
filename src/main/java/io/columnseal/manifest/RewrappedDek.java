package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.WrappedKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * One DEK moved by a rewrap: the master key it was under, the one it is under now (as KMS
 * ReEncrypt returned it), and the new raw CiphertextBlob. {@code fromKeyArn} must be the DEK's
 * current key in the state the rewrap follows, so a rewrap planned against a stale state is
 * refused.
 */
public final class RewrappedDek {
  private final DekId id;
  private final String fromKeyArn;
  private final String toKeyArn;
  private final byte[] wrappedKey;

  private RewrappedDek(DekId id, String fromKeyArn, String toKeyArn, byte[] wrappedKey) {
    this.id = Checks.present(id, "DEK id");
    this.fromKeyArn = Checks.text(fromKeyArn, "fromKeyArn of DEK " + id);
    this.toKeyArn = Checks.text(toKeyArn, "toKeyArn of DEK " + id);
    this.wrappedKey = Checks.blob(wrappedKey, "new wrapped key of DEK " + id);
  }

  public static RewrappedDek of(DekId id, String fromKeyArn, String toKeyArn, byte[] wrappedKey) {
    return new RewrappedDek(id, fromKeyArn, toKeyArn, wrappedKey);
  }

  /** From the DEK's current record and what ReEncrypt returned. */
  public static RewrappedDek of(DekRecord current, WrappedKey reEncrypted) {
    return new RewrappedDek(current.id(), current.keyArn(), reEncrypted.keyArn(), reEncrypted.blob());
  }

  public DekId id() {
    return id;
  }

  public String fromKeyArn() {
    return fromKeyArn;
  }

  public String toKeyArn() {
    return toKeyArn;
  }

  /** A copy of the new raw CiphertextBlob. */
  public byte[] wrappedKey() {
    return wrappedKey.clone();
  }

  public WrappedKey wrapped() {
    return new WrappedKey(toKeyArn, wrappedKey);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RewrappedDek)) {
      return false;
    }
    RewrappedDek r = (RewrappedDek) o;
    return r.id.equals(id) && r.fromKeyArn.equals(fromKeyArn) && r.toKeyArn.equals(toKeyArn)
        && Arrays.equals(r.wrappedKey, wrappedKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, fromKeyArn, toKeyArn, Arrays.hashCode(wrappedKey));
  }

  @Override
  public String toString() {
    return "RewrappedDek[" + id + ", " + fromKeyArn + " -> " + toKeyArn + "]";
  }
}
