package io.columnseal.jobs.domain;

import io.columnseal.ColumnsealException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.kms.UntrustedKeyException;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DomainRecord;
import io.columnseal.manifest.DomainStore;
import java.util.Map;
import java.util.Objects;

/**
 * Rewrap of a token domain's key (docs/ROTATION.md): KMS ReEncrypt of the newest record's blob
 * under the target key with the domain's context, a sample check that ReEncrypts the new blob
 * from the target to the target (so it needs no kms:Decrypt, as the dataset rewrap's default
 * check), then record N+1 with the same key id. The key itself does not change, so every cell
 * already written stays readable; this is not revocation (the old blob and anyone who unwrapped
 * the key before keep it).
 */
public final class DomainRewrap {
  private final DomainStore store;
  private final KeyService kms;
  private final TrustedKeys trusted;

  public DomainRewrap(DomainStore store, KeyService kms, TrustedKeys trusted) {
    this.store = Objects.requireNonNull(store, "store");
    this.kms = Objects.requireNonNull(kms, "kms");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
  }

  /** What a domain rewrap did (or, on a dry run, would do). */
  public record Result(String domain, long fromRecord, String fromKeyArn, String toKeyArn, long newRecord, boolean dryRun) {
    public String summary() {
      return (dryRun ? "dry run: would rewrap" : "rewrapped") + " domain " + domain + " record " + fromRecord + " from "
          + fromKeyArn + " to " + toKeyArn + (dryRun ? "" : " as record " + newRecord);
    }
  }

  /**
   * @throws DomainKeyException if the domain has no record
   * @throws UntrustedKeyException if the record's key or the target is not allowed (before any ReEncrypt)
   * @throws io.columnseal.manifest.DomainRecordConflictException if another rewrap wrote the next record first
   */
  public Result rewrap(String domain, String toKey, boolean dryRun) {
    DomainRecord latest = store.latest(domain).orElseThrow(() -> new DomainKeyException("domain " + domain
        + " has no record in domain store " + store.dir()));
    String what = "rewrap of domain " + domain;
    try {
      trusted.check(Map.of(latest.keyArn(), 1L), kms, what);
    } catch (UntrustedKeyException e) {
      throw new UntrustedKeyException(what + ": record " + latest.number() + " says the key is wrapped under "
          + latest.keyArn() + ", which " + TrustedKeys.OPTION + " (or its default) does not allow; nothing rewrapped");
    }
    String targetArn = kms.describeKey(toKey).keyArn();
    trusted.checkTarget(targetArn, kms, what);
    if (dryRun) {
      return new Result(domain, latest.number(), latest.keyArn(), targetArn, 0, true);
    }
    WrappedKey moved = kms.reEncrypt(latest.wrapped(), latest.encryptionContext(), targetArn);
    try {
      WrappedKey again = kms.reEncrypt(moved, latest.encryptionContext(), targetArn);
      if (!targetArn.equals(moved.keyArn()) || !targetArn.equals(again.keyArn())) {
        throw new DomainKeyException(what + ": sample check failed: KMS answered key " + again.keyArn()
            + ", not the target " + targetArn + "; nothing written");
      }
    } catch (ColumnsealException e) {
      if (e instanceof DomainKeyException) {
        throw e;
      }
      throw new DomainKeyException(what + ": sample check failed: KMS does not accept the new wrapping under "
          + targetArn + " for ReEncrypt (" + e.getMessage() + "); nothing written");
    }
    DomainRecord written = store.appendRewrap(latest, moved);
    return new Result(domain, latest.number(), latest.keyArn(), targetArn, written.number(), false);
  }
}
