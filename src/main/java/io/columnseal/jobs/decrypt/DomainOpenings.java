package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.jobs.domain.DomainKeys;
import io.columnseal.jobs.domain.WrappedDomainKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.KmsException;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DomainStore;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Driver side of reading deterministic and fpe columns: each column's domain and domain key id
 * come from the manifest's column record (FORMAT.md 5.2 options {@code domain}, {@code
 * domainKeyId}), never from a cell; the domain's record must name that key and pass trust, and
 * one unwrap proves the caller may use it before any data is read.
 */
public final class DomainOpenings {
  private DomainOpenings() {}

  /** A reversible domain column as tasks open it. */
  public static final class Opening implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String protection;
    public final WrappedDomainKey key;
    public final Map<String, String> options;

    Opening(String protection, WrappedDomainKey key, Map<String, String> options) {
      this.protection = protection;
      this.key = key;
      this.options = new java.util.TreeMap<>(options);
    }

    public boolean deterministic() {
      return protection.equals("deterministic");
    }

    public io.columnseal.crypto.protect.FpeOptions fpeOptions() {
      return new io.columnseal.crypto.protect.FpeOptions("6".equals(options.get("keepFirst")),
          "4".equals(options.get("keepLast")), "true".equals(options.get("luhn")));
    }
  }

  /** Whether decrypt leaves the column as written (token, mask): nothing restores it. */
  public static boolean keptAsWritten(ColumnRecord c) {
    return c.protection().equals("token") || c.protection().equals("mask");
  }

  public static boolean reversibleDomainColumn(ColumnRecord c) {
    return c.protection().equals("deterministic") || c.protection().equals("fpe");
  }

  /**
   * Per chosen column: its opening, or null for a randomized column.
   *
   * @throws KmsException naming column, domain and master key when the caller may not unwrap
   *     the domain key (checked before any data is read)
   */
  public static Opening[] resolve(DatasetSnapshot snap, List<String> chosen, String domainStore, TrustedKeys allowed,
      io.columnseal.kms.KeyServiceSpec spec, Configuration conf) {
    Opening[] out = new Opening[chosen.size()];
    KeyService kms = KeyServices.shared(spec);
    for (int k = 0; k < out.length; k++) {
      String name = chosen.get(k);
      ColumnRecord c = snap.state.schema().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
      if (!reversibleDomainColumn(c)) {
        continue;
      }
      String domain = c.options().get("domain");
      String id = c.options().get("domainKeyId");
      if (domain == null || id == null) {
        throw new io.columnseal.jobs.dataset.DatasetException("column " + name + " of dataset " + snap.path
            + " is " + c.protection() + " but its manifest record names no domain or domainKeyId");
      }
      boolean named = !domain.equals(DomainKeys.defaultDomain(snap.state.datasetId(), name));
      DomainStore store = DomainStore.at(DomainKeys.storeDir(domainStore, snap.manifestDir, name, named), conf);
      // kms.allowedKeys, else the dataset's default (its first DEKs' account and Region); only a
      // dataset with no DEK at all (every column under a domain) falls back to the record's first key.
      TrustedKeys trust = allowed != null ? allowed : snap.state.deks().isEmpty()
          ? DomainKeys.defaultTrust(store, domain) : KeyTrust.effective(null, snap.state);
      DomainKeys keys = new DomainKeys(store, kms, trust, DomainKeyCache.shared());
      DekId expected = DekId.parse(id);
      WrappedDomainKey checked = keys.resolve(domain, expected); // one read of the store, trust and id checked
      try (DomainKeyCache.Lease probe = checked.open(kms, DomainKeyCache.shared())) {
        probe.key(); // unwrapped: the caller may use the domain key
      } catch (KmsException e) {
        throw e.withOutcome("checked before reading any data: decrypt of column " + name + " needs kms:Decrypt on"
            + " the master key of domain " + domain + " (domain key " + expected + "); no output was written;"
            + " decrypt --columns without it restores the others");
      }
      out[k] = new Opening(c.protection(), checked, c.options());
    }
    return out;
  }

}
