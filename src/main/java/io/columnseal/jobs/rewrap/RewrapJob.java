package io.columnseal.jobs.rewrap;

import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RunIds;
import io.columnseal.kms.AwsKms;
import io.columnseal.kms.AwsKmsOptions;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * rewrap: moves every DEK of a dataset's current manifest state to a target master key with
 * KMS ReEncrypt (the plaintext DEK never leaves KMS), then commits one REWRAP manifest version,
 * only when every DEK succeeded and a sample of the new wrappings passed the sample check
 * ({@link SampleCheckMode}). No data file is touched and no Spark job runs: it is all on the driver.
 *
 * <p>Three phases, each callable alone: {@link #plan} reads the manifest, checks the target
 * with DescribeKey (before any ReEncrypt) and finds reusable checkpoints; {@link
 * RewrapPlan#execute()} ReEncrypts the rest with bounded concurrency and rate; {@link
 * RewrapResult#commit()} checks the sample and commits, catching up with DEKs that other
 * writers added meanwhile. A run stopped at any point leaves the manifest as it was; running
 * it again reuses the checkpointed ReEncrypt results.
 */
public final class RewrapJob {
  private RewrapJob() {}

  /**
   * Reads the manifest and checks the target key; no ReEncrypt, no write.
   *
   * @throws DatasetException when the dataset has no manifest
   * @throws io.columnseal.kms.KmsException when the target key is missing, not enabled, or
   *     DescribeKey is not permitted
   */
  public static RewrapPlan plan(Configuration conf, RewrapSettings settings, KeyService kms) {
    Instant started = Instant.now();
    // With manifest.macKey, the head must be authenticated before any ReEncrypt (one VerifyMac).
    DatasetSnapshot snap = DatasetSnapshot.open(conf, settings.datasetPath, settings.manifestPath,
        KeyTrust.writerMacKey(kms, settings.manifestMacKey));
    refuseSeveralKeyGroups(snap);
    // Before any ReEncrypt: every DEK's current key must be trusted (alias entries may cost a DescribeKey).
    KeyTrust.check(settings.allowedKeys, snap.state, kms, "rewrap");
    KeyDescription target = kms.describeKey(settings.targetKey);
    if (!target.enabled()) {
      throw new KeyDisabledException("DescribeKey", settings.targetKey, "key " + target.keyArn() + " is "
          + target.state().kmsName() + "; rewrap needs an enabled target key");
    }
    KeyTrust.effective(settings.allowedKeys, snap.state).checkTarget(target.keyArn(), kms,
        "rewrap of dataset " + snap.state.datasetId());
    return new RewrapPlan(conf, settings, kms, snap, target.keyArn(), RunIds.next(started), started);
  }

  /**
   * A rewrap moves every DEK to one key: on a dataset whose columns are under several master
   * keys (column policies), that would give every column's cells to whoever may use the target
   * key. Refused before any KMS call until a rewrap per key group exists.
   */
  private static void refuseSeveralKeyGroups(DatasetSnapshot snap) {
    java.util.Set<String> groups = new java.util.TreeSet<>();
    snap.state.deks().values().forEach(d -> {
      String g = d.encryptionContext().get(io.columnseal.jobs.dataset.KeyGroups.CONTEXT_KEY);
      if (g != null) {
        groups.add(g);
      }
    });
    if (groups.size() > 1) {
      throw new io.columnseal.ConfigException("Cannot rewrap dataset " + snap.state.datasetId() + ": its columns are"
          + " under " + groups.size() + " key groups " + groups + ", and a rewrap moves every DEK to one key, which"
          + " would end access per key; a rewrap per key group is not built yet");
    }
  }

  /**
   * The whole rewrap: plan, then (unless a dry run, or the manifest has no DEK) execute and
   * commit. The caller owns {@code kms}.
   *
   * @throws RewrapFailedException when anything failed; nothing was committed, and its
   *     {@link RewrapFailedException#report()} says what happened
   */
  public static RewrapReport run(Configuration conf, RewrapSettings settings, KeyService kms) {
    RewrapPlan plan = plan(conf, settings, kms);
    if (settings.dryRun || plan.state().deks().isEmpty()) {
      return plan.report();
    }
    return plan.execute().commit();
  }

  /**
   * The key service a rewrap uses, which the caller closes: for AWS, a client of its own with
   * the SDK's STANDARD retry mode (adaptive mode's client-side limiter would pause the whole
   * pool about two seconds per throttling answer; the token bucket already sets the pace) and
   * a connection per worker; for the local keyring, a fresh read of the keyring file.
   */
  public static KeyService openKeyService(KeyServiceSpec spec, int concurrency) {
    if (spec.provider() == KeyServiceSpec.Provider.AWS) {
      return new AwsKms(spec, AwsKmsOptions.builder().retryMode(RetryMode.STANDARD)
          .maxConnections(Math.max(50, concurrency)).build());
    }
    return KeyServices.open(spec);
  }
}
