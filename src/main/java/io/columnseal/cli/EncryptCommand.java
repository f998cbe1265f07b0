package io.columnseal.cli;

import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "encrypt", mixinStandardHelpOptions = true,
    description = {"Encrypt the configured columns of the input into a columnseal dataset (Parquet + manifest).",
        "Keys: dataset, input.*, encrypt.*, kms.*, output.*, manifest.path (see README)."})
final class EncryptCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    EncryptSettings settings = config.encryptSettings();
    SparkSession spark = Sparks.session("columnseal encrypt " + settings.datasetId);
    config.manifestSettings(spark.sparkContext().hadoopConfiguration());
    RunSummary summary;
    try (InterruptNotice n = InterruptNotice.install("columnseal encrypt", InterruptNotice.ENCRYPT);
         ProgressLine p = ProgressLine.on(spark, "columnseal encrypt")) {
      summary = EncryptJob.run(spark, settings);
    }
    System.out.print(summary.toTerminal());
    return ExitCodes.OK;
  }
}
