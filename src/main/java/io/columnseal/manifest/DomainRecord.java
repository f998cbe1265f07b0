package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One immutable record of a token domain's key (docs/FORMAT.md, "Domain records"): record 1
 * holds the key as GenerateDataKey wrapped it; record N > 1 the same key re-wrapped by a rewrap.
 * Not secret: the key only wrapped, under a master key.
 */
public record DomainRecord(
    String domain,
    DekId domainKeyId,
    WrappedKey wrapped,
    EncryptionContext encryptionContext,
    long number,
    Instant created,
    String parentDigest,
    String digest) {
  public static final int FORMAT_VERSION = 1;

  public DomainRecord {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(domainKeyId, "domainKeyId");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(encryptionContext, "encryptionContext");
    Objects.requireNonNull(created, "created");
    if (number < 1 || (number == 1) != (parentDigest == null)) {
      throw new IllegalArgumentException("domain record " + number + " of domain " + domain
          + ": record 1 has no parent digest and every later record has one");
    }
  }

  public String keyArn() {
    return wrapped.keyArn();
  }

  @Override
  public String toString() {
    return "DomainRecord[" + domain + " #" + number + ", key " + domainKeyId + ", " + wrapped.keyArn() + "]";
  }
}
