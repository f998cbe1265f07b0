package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.decrypt.OnCellError;
import io.columnseal.jobs.decrypt.QuarantineJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "decrypt", mixinStandardHelpOptions = true,
    description = {"Decrypt a columnseal dataset into plaintext Parquet or CSV, all or some columns.",
        "Reads kms.* (and manifest.path) from --config/--set."})
final class DecryptCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
  String dataset;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "Where to write the plaintext.")
  String output;

  @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|csv",
      description = "Output format (default: ${DEFAULT-VALUE}). CSV writes columns left encrypted as base64.")
  String format;

  @Option(names = "--columns", split = ",", paramLabel = "COL", description = "Only these columns (default: all encrypted).")
  List<String> columns = new ArrayList<>();

  @Option(names = "--mode", defaultValue = "error", paramLabel = "error|overwrite",
      description = "What to do if --output exists (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "fail|null",
      description = {"A cell that does not decrypt (tampered, truncated, unknown DEK): fail the job naming its column,"
          + " file and row (default), or write null and count it in the summary. KMS errors always fail."})
  String onError;

  @Option(names = "--quarantine", description = {"Decrypt the rows that encrypt runs quarantined"
      + " (input.malformed=quarantine) instead: source_file, line, record."})
  boolean quarantine;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    if (!mode.equals("error") && !mode.equals("overwrite")) {
      throw ConfigException.badValue("--mode", mode, "error or overwrite");
    }
    if (!onError.equals("fail") && !onError.equals("null")) {
      throw ConfigException.badValue("--on-error", onError, "fail or null");
    }
    DecryptSettings s = new DecryptSettings(dataset, config.get("manifest.path"), output, format, columns,
        config.keyService(), mode.equals("overwrite"), onError.equals("null") ? OnCellError.NULL : OnCellError.FAIL,
        config.allowedKeys(), config.get("manifest.macKey"), config.get("encrypt.domainStore"));
    if (quarantine && !columns.isEmpty()) {
      throw new ConfigException("Cannot use --columns with --quarantine: a quarantined row is one sealed record");
    }
    SparkSession spark = Sparks.session(quarantine ? "columnseal decrypt --quarantine" : "columnseal decrypt");
    RunSummary summary;
    try (InterruptNotice n = InterruptNotice.install("columnseal decrypt", InterruptNotice.decrypt(output));
         ProgressLine p = ProgressLine.on(spark, "columnseal decrypt")) {
      summary = quarantine ? QuarantineJob.decrypt(spark, s) : DecryptJob.run(spark, s);
    }
    System.out.print(summary.toTerminal());
    return ExitCodes.OK;
  }
}
