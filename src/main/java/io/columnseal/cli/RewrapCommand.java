package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.jobs.rewrap.RewrapFailedException;
import io.columnseal.jobs.rewrap.RewrapJob;
import io.columnseal.jobs.rewrap.RewrapReport;
import io.columnseal.jobs.rewrap.RewrapSettings;
import io.columnseal.jobs.rewrap.SampleCheckMode;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServiceSpec;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rewrap", mixinStandardHelpOptions = true,
    description = {"Move every DEK of a dataset to another master key (or to the newest material of the same key "
        + "after a KMS rotation) with KMS ReEncrypt, and commit one REWRAP manifest version. No data file is touched.",
        "Reads kms.* and manifest.path from --config/--set. See docs/ROTATION.md."})
final class RewrapCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--dataset", paramLabel = "PATH", description = "The encrypted dataset.")
  String dataset;

  @Option(names = "--domain", paramLabel = "NAME",
      description = "Rewrap the key of this token domain instead of a dataset's DEKs (docs/ROTATION.md).")
  String domain;

  @Option(names = "--domain-store", paramLabel = "PATH",
      description = "The domain store (default: encrypt.domainStore, else <manifest dir>/domains of --dataset).")
  String domainStore;

  @Option(names = "--to-key", required = true, paramLabel = "KEY",
      description = "The target key: key id, key ARN, alias/NAME or alias ARN.")
  String toKey;

  @Option(names = "--dry-run", description = "Print the plan (DEKs per source key, target); no ReEncrypt, no change.")
  boolean dryRun;

  @Option(names = "--max-rate", paramLabel = "N", defaultValue = "100",
      description = "ReEncrypt calls per second at most (default: ${DEFAULT-VALUE}); KMS quotas are shared by the account.")
  double maxRate;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16",
      description = "Threads, each with one KMS call in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--sample-deks", paramLabel = "N", defaultValue = "8",
      description = "DEKs whose new wrapping is checked before the commit (default: ${DEFAULT-VALUE}).")
  int sampleDeks;

  @Option(names = "--sample-check", paramLabel = "HOW", defaultValue = "reencrypt",
      description = "reencrypt (ReEncrypt the new blobs to the target again; no kms:Decrypt, no data read), "
          + "decrypt (unwrap them and decrypt cells; needs kms:Decrypt and reads data) or none "
          + "(default: ${DEFAULT-VALUE}).")
  String sampleCheck;

  @Option(names = "--skip-sample-check", description = "The same as --sample-check none.")
  boolean skipSampleCheck;

  @Option(names = "--report", paramLabel = "FILE", description = "JSON report path (default: _columnseal/reports/).")
  String report;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    if (domain != null) {
      return DomainRewrapCommand.run(config, dataset, domain, domainStore, toKey, dryRun);
    }
    if (dataset == null) {
      throw new ConfigException("rewrap needs --dataset PATH (the DEKs of a dataset) or --domain NAME (a token domain's key)");
    }
    if (domainStore != null) {
      throw new ConfigException("--domain-store needs --domain NAME");
    }
    SampleCheckMode check = SampleCheckMode.parse(sampleCheck);
    if (skipSampleCheck && check == SampleCheckMode.DECRYPT) {
      throw new ConfigException("--skip-sample-check contradicts --sample-check " + sampleCheck + "; give one of them");
    }
    if (skipSampleCheck) {
      check = SampleCheckMode.NONE;
    }
    RewrapSettings s = RewrapSettings.builder(dataset, toKey)
        .manifestPath(config.get("manifest.path"))
        .allowedKeys(config.allowedKeys())
        .manifestMacKey(config.get("manifest.macKey"))
        .dryRun(dryRun)
        .maxRate(maxRate)
        .concurrency(concurrency)
        .sampleDeks(sampleDeks)
        .sampleCheck(check)
        .reportPath(report)
        .progress(System.err, Duration.ofSeconds(5))
        .build();
    KeyServiceSpec spec = config.keyService();
    if (check == SampleCheckMode.NONE && !dryRun) {
      System.err.println("columnseal rewrap: WARNING: --sample-check none: the new wrappings will be committed "
          + "without being tried; run verify right after");
    }
    try (KeyService kms = RewrapJob.openKeyService(spec, s.concurrency)) {
      RewrapReport r = RewrapJob.run(config.manifestSettings(Sparks.hadoopConfiguration()), s, kms);
      System.out.print(r.toTerminal());
      return ExitCodes.OK;
    } catch (RewrapFailedException e) {
      if (e.report() != null) {
        System.out.print(e.report().toTerminal());
      }
      throw e;
    }
  }
}
