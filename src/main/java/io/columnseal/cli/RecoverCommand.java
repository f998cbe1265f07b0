package io.columnseal.cli;

import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.recovery.RecoverJob;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import io.columnseal.kms.TrustedKeys;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "recover", mixinStandardHelpOptions = true,
    description = {"Settle the encrypt runs of a dataset whose driver died: all of a run's rows are committed, or "
        + "none and its files are removed (the next encrypt with output.mode=append or overwrite does the same first).",
        "Exit 1 if a run was dropped (re-run its input) or left alone because its driver may still be running.",
        "Reads manifest.path from --config/--set."})
final class RecoverCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
  String dataset;

  @Option(names = "--force", description = "Take runs whose driver ran on another host for dead now, "
      + "instead of after an hour. Use only when you know that driver stopped.")
  boolean force;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    TrustedKeys allowed = KeyTrust.parse(config.allowedKeys());
    // Recover's KMS calls: DescribeKey of alias entries, and with manifest.macKey VerifyMac/GenerateMac.
    KeyService kms = config.get("kms.provider") == null ? null : KeyServices.shared(config.keyService());
    org.apache.spark.sql.SparkSession spark = Sparks.session("columnseal recover");
    config.manifestSettings(spark.sparkContext().hadoopConfiguration());
    List<RecoveredRun> runs = RecoverJob.run(spark, dataset,
        config.get("manifest.path"), force, allowed, kms, config.get("manifest.macKey"));
    if (runs.isEmpty()) {
      System.out.println("recover " + dataset + ": no unfinished run");
    }
    boolean incomplete = false;
    for (RecoveredRun r : runs) {
      System.out.println("recover " + dataset + ": " + r.describe());
      // A dropped run's rows are not in the dataset: exit 0 would say they are.
      incomplete |= RecoveredRun.LEFT_ALONE.equals(r.outcome) || RecoveredRun.DROPPED.equals(r.outcome);
    }
    return incomplete ? ExitCodes.FAILED : ExitCodes.OK;
  }
}
