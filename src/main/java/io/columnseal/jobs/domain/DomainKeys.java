package io.columnseal.jobs.domain;

import io.columnseal.ConfigException;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDomainKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.manifest.DomainRecord;
import io.columnseal.manifest.DomainStore;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * Opens (and for a first writer, creates) the key of a token domain from its domain record
 * (docs/FORMAT.md, "Domain records"). The record never decides alone: before any KMS call the
 * record's key id must be the one the dataset's manifest records for the column, and the record's
 * master key must pass {@code kms.allowedKeys}; then KMS Decrypt checks the context (domain and
 * key id) and the key it answers with. Keys come from a {@link DomainKeyCache}, so a JVM
 * unwraps each domain key once.
 */
public final class DomainKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DomainStore store;
  private final KeyService kms;
  private final TrustedKeys trusted;
  private final DomainKeyCache cache;

  public DomainKeys(DomainStore store, KeyService kms, TrustedKeys trusted, DomainKeyCache cache) {
    this.store = Objects.requireNonNull(store, "store");
    this.kms = Objects.requireNonNull(kms, "kms");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  /** The config key every command reads for the domain store. */
  public static final String STORE_OPTION = "encrypt.domainStore";

  /**
   * The domain store of a column: {@code encrypt.domainStore}, or {@code <manifest dir>/domains}
   * for a column without a named domain. A named domain without a configured store is a config
   * error (exit 2, before any Spark job or KMS call): two datasets must meet in one store.
   */
  public static Path storeDir(String configuredOrNull, Path manifestDir, String column, boolean namedDomain) {
    if (configuredOrNull != null && !configuredOrNull.isEmpty()) {
      return new Path(configuredOrNull);
    }
    if (namedDomain) {
      throw new ConfigException("column " + column + " names a token domain: set " + STORE_OPTION
          + " to the domain store that every dataset of that domain uses");
    }
    return new Path(manifestDir, DomainStore.DEFAULT_DIR_NAME);
  }

  /** The domain of a column that names none: the dataset and the column. */
  public static String defaultDomain(String datasetId, String column) {
    return datasetId + "/" + column;
  }

  /**
   * Reader: the domain key the dataset's manifest names ({@code expectedId}).
   *
   * @throws DomainKeyException if the domain has no record or its record names another key id
   * @throws UntrustedKeyException if the record's master key is not allowed (no KMS call made)
   */
  public DomainKeyCache.Lease open(String domain, DekId expectedId) {
    Objects.requireNonNull(expectedId, "expectedId");
    DomainRecord r = store.latest(domain).orElseThrow(() -> new DomainKeyException("domain " + domain
        + " has no record in domain store " + store.dir() + ", but the dataset's manifest names its key " + expectedId));
    return openChecked(r, expectedId);
  }

  /**
   * Writer: the domain's key, creating record 1 with GenerateDataKey under {@code masterKeyId}
   * if the domain is new. {@code expectedId} is what the dataset's manifest already records
   * for the column (an append), or null for a column the dataset has not protected yet. A
   * writer that loses the race to create record 1 uses the winner's key.
   */
  public DomainKeyCache.Lease openOrCreate(String domain, String masterKeyId, DekId expectedId) {
    Optional<DomainRecord> existing = store.latest(domain);
    if (existing.isPresent()) {
      return openChecked(existing.get(), expectedId);
    }
    if (expectedId != null) {
      throw new DomainKeyException("domain " + domain + " has no record in domain store " + store.dir()
          + ", but the dataset's manifest names its key " + expectedId + "; refusing to make a new key for it");
    }
    DekId id = DekId.random(RANDOM);
    GeneratedDomainKey g = kms.generateDomainKey(masterKeyId, domain, id, EncryptionContext.forDomain(domain, id.hex()));
    boolean handedOver = false;
    try {
      requireTrusted(domain, g.wrapped().keyArn());
      Optional<DomainRecord> created = store.createFirst(domain, id, g.wrapped());
      if (created.isPresent()) {
        handedOver = true;
        return cache.adopt(kms, created.get(), g.plaintext());
      }
    } finally {
      if (!handedOver) {
        g.plaintext().destroy();
      }
    }
    // Another writer made record 1 first: its key is the domain's, ours was never used.
    DomainRecord winner = store.latest(domain).orElseThrow(() -> new DomainKeyException("domain " + domain
        + ": record 1 was taken by another writer but cannot be read back from " + store.dir()));
    return openChecked(winner, null);
  }

  /**
   * The trust when {@code kms.allowedKeys} is unset: the account and Region of the master key of
   * the domain's record 1, as for a dataset's first commit. Empty trust (nothing allowed) when the
   * domain has no record.
   */
  public static TrustedKeys defaultTrust(DomainStore store, String domain) {
    List<DomainRecord> h = store.history(domain);
    return TrustedKeys.defaultFor(h.isEmpty() ? List.of() : List.of(h.get(0).keyArn()));
  }

  /**
   * Driver side of a reader: the checked record of the domain, to ship to tasks, which open it
   * with {@link WrappedDomainKey#open}. Makes no KMS call (except DescribeKey of alias entries of
   * {@code kms.allowedKeys}, as {@link TrustedKeys#check} does).
   */
  public WrappedDomainKey resolve(String domain, DekId expectedId) {
    Objects.requireNonNull(expectedId, "expectedId");
    DomainRecord r = store.latest(domain).orElseThrow(() -> new DomainKeyException("domain " + domain
        + " has no record in domain store " + store.dir() + ", but the dataset's manifest names its key " + expectedId));
    return new WrappedDomainKey(checked(r, expectedId));
  }

  /**
   * Driver side of a writer: as {@link #openOrCreate}, returning the checked record to ship to
   * tasks. A first writer's key stays in this JVM's cache (local mode opens it without Decrypt).
   */
  public WrappedDomainKey resolveOrCreate(String domain, String masterKeyId, DekId expectedId) {
    try (DomainKeyCache.Lease l = openOrCreate(domain, masterKeyId, expectedId)) {
      DomainRecord r = store.latest(domain).orElseThrow();
      return new WrappedDomainKey(checked(r, l.key().id()));
    }
  }

  private DomainKeyCache.Lease openChecked(DomainRecord r, DekId expectedId) {
    return cache.acquire(kms, checked(r, expectedId));
  }

  private DomainRecord checked(DomainRecord r, DekId expectedId) {
    if (expectedId != null && !expectedId.equals(r.domainKeyId())) {
      throw new DomainKeyException("domain " + r.domain() + ": record " + r.number() + " in domain store " + store.dir()
          + " names domain key " + r.domainKeyId() + " but the dataset's manifest records " + expectedId
          + "; refused before any KMS call");
    }
    requireTrusted(r.domain(), r.keyArn());
    return r;
  }

  private void requireTrusted(String domain, String keyArn) {
    try {
      trusted.check(Map.of(keyArn, 1L), kms, "domain " + domain);
    } catch (UntrustedKeyException e) {
      throw new UntrustedKeyException("domain " + domain + ": its key is wrapped under master key " + keyArn
          + ", which " + TrustedKeys.OPTION + " (or its default) does not allow; refused before any KMS call with"
          + " the wrapped key");
    }
  }
}
