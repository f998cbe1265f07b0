package io.columnseal.jobs.domain;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DomainRecord;
import java.io.Serializable;
import java.util.TreeMap;

/**
 * A domain record as executors need it to unwrap the domain key, after the driver's checks
 * ({@link DomainKeys#resolve}): domain, key id, wrapped blob, key ARN, context. Not secret;
 * serializable, so a job can ship it to its tasks.
 */
public final class WrappedDomainKey implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String domain;
  private final long id;
  private final String keyArn;
  private final byte[] blob;
  private final TreeMap<String, String> context;
  private final long recordNumber;

  WrappedDomainKey(DomainRecord r) {
    this.domain = r.domain();
    this.id = r.domainKeyId().asLong();
    this.keyArn = r.keyArn();
    this.blob = r.wrapped().blob();
    this.context = new TreeMap<>(r.encryptionContext().asMap());
    this.recordNumber = r.number();
  }

  public String domain() {
    return domain;
  }

  public DekId id() {
    return DekId.fromLong(id);
  }

  public String keyArn() {
    return keyArn;
  }

  public WrappedKey wrapped() {
    return new WrappedKey(keyArn, blob);
  }

  public EncryptionContext encryptionContext() {
    return EncryptionContext.of(context);
  }

  /** The domain key through this JVM's cache and its key service for {@code spec} (executors). */
  public DomainKeyCache.Lease open(KeyServiceSpec spec) {
    return open(KeyServices.shared(spec), DomainKeyCache.shared());
  }

  public DomainKeyCache.Lease open(KeyService kms, DomainKeyCache cache) {
    return cache.acquire(kms, domain, id(), wrapped(), encryptionContext());
  }

  @Override
  public String toString() {
    return "WrappedDomainKey[" + domain + " #" + recordNumber + ", key " + id() + ", " + keyArn + "]";
  }

  /** For a manifest's column record: what the domain's record number was when resolved. */
  public long recordNumber() {
    return recordNumber;
  }
}
