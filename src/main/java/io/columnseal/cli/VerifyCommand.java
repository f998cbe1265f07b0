package io.columnseal.cli;

import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check a columnseal dataset against its manifest; exit 3 on any finding.",
        "Reads kms.*, manifest.path and encrypt.columns (columns that must be encrypted) from --config/--set."})
final class VerifyCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
  String dataset;

  @Option(names = "--shallow", description = "Check wrapped DEKs are well-formed instead of unwrapping them; no KMS call.")
  boolean shallow;

  @Option(names = "--samples", defaultValue = "3", paramLabel = "N",
      description = "Cells per file and column to decrypt (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--report", paramLabel = "FILE", description = "JSON report path (default: _columnseal/reports/).")
  String report;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    String macKey = config.get("manifest.macKey");
    // --shallow makes no KMS call, except VerifyMac when manifest.macKey is set.
    VerifySettings s = new VerifySettings(dataset, config.get("manifest.path"),
        shallow && macKey == null ? null : config.keyService(), shallow, Math.max(0, samples),
        config.sealedColumns(), report, config.allowedKeys(), macKey,
        config.get("encrypt.domainStore"));
    VerifyReport r = VerifyJob.run(Sparks.session("columnseal verify"), s);
    System.out.print(r.toTerminal());
    return r.ok() ? ExitCodes.OK : ExitCodes.FINDINGS;
  }
}
