package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.jobs.domain.DomainKeys;
import io.columnseal.jobs.domain.DomainRewrap;
import io.columnseal.jobs.rewrap.RewrapJob;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.DomainStore;
import io.columnseal.manifest.ManifestStore;
import org.apache.hadoop.fs.Path;

/** {@code rewrap --domain NAME}: one token domain's key to another master key (docs/ROTATION.md). */
final class DomainRewrapCommand {
  private DomainRewrapCommand() {}

  static int run(JobConfig config, String dataset, String domain, String storeOption, String toKey, boolean dryRun) {
    if (domain.isEmpty()) {
      throw new ConfigException("--domain cannot be empty");
    }
    String storePath = storeOption != null ? storeOption : config.get(DomainKeys.STORE_OPTION);
    if (storePath == null && dataset != null) {
      String manifest = config.get("manifest.path");
      Path dir = manifest != null ? new Path(manifest) : ManifestStore.defaultDir(new Path(dataset));
      storePath = new Path(dir, DomainStore.DEFAULT_DIR_NAME).toString();
    }
    if (storePath == null) {
      throw new ConfigException("rewrap --domain " + domain + " needs --domain-store PATH, encrypt.domainStore,"
          + " or --dataset PATH for a dataset's own (unnamed) domains");
    }
    TrustedKeys configured = config.allowedKeys() == null ? null : TrustedKeys.of(config.allowedKeys());
    DomainStore store = DomainStore.at(new Path(storePath), Sparks.hadoopConfiguration());
    try (KeyService kms = RewrapJob.openKeyService(config.keyService(), 1)) {
      TrustedKeys trusted = configured != null ? configured : DomainKeys.defaultTrust(store, domain);
      DomainRewrap.Result r = new DomainRewrap(store, kms, trusted).rewrap(domain, toKey, dryRun);
      System.out.println(r.summary());
      return ExitCodes.OK;
    }
  }
}
