package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.jobs.recovery.RunRecovery;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyDisabledException;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.manifest.ManifestMacKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructType;

/**
 * The driver's plan of one encrypt run, made before any data is sealed: the settings, the input
 * schema and the ordinals to seal, the output's manifest state, the master key as DescribeKey
 * answered, and the sealing plan the executors get. Making it settles unfinished earlier runs
 * first (docs/RELIABILITY.md) and makes exactly one KMS call, after every check that needs none.
 */
final class EncryptPlan {
  final EncryptSettings s;
  final Configuration conf;
  final Clock clock;
  final Path manifestDir;
  final ManifestStore store;
  final OutputChecks checks;
  final String runId;
  final Instant started;
  final InputReader.Input input;
  /** Input file -> its fingerprint, for the repeat guard; empty for a caller's DataFrame. */
  final Map<String, String> inputFiles;
  final StructType data;
  final int[] ordinals;
  final List<RecoveredRun> recovered;
  /** The manifest state the run started from (empty for a new dataset). */
  final Optional<ManifestState> before;
  final String keyArn;
  final SealingPlan sealing;
  /** The run's quarantine folder (input.malformed=quarantine), used or not. */
  final Path quarantineDir;

  private EncryptPlan(EncryptSettings s, Configuration conf, Clock clock, String runId, Instant started,
      InputReader.Input input, Map<String, String> inputFiles) {
    this.s = s;
    this.conf = conf;
    this.clock = clock;
    this.manifestDir = DatasetFiles.manifestDir(s.outputPath, s.manifestPath);
    this.store = ManifestStore.at(manifestDir, conf).withMacKey(macKey(s));
    this.checks = new OutputChecks(s, conf, manifestDir);
    this.runId = runId;
    this.started = started;
    this.input = input;
    this.inputFiles = inputFiles;
    this.data = input.dataSchema;
    this.ordinals = EncryptPlanning.encryptedOrdinals(data, s.columns, s.partitionBy);
    this.recovered = recoverUnfinishedRuns();
    checks.checkNotInFlight(recovered, inputFiles);
    this.before = store.read();
    checks.checkOutput(before, data, inputFiles);
    if (input.rows.isEmpty()) {
      throw new InputException("input.path " + s.inputPath + " has no rows: nothing to encrypt");
    }
    OutputProbe.check(conf, s.outputPath, manifestDir, runId);
    this.keyArn = describeKey();
    SealingPlan plan = new SealingPlan(s.datasetId, data, ordinals, s.encoding, s.keyService, keyArn, s.extraContext,
        input.checksMalformed, InputReader.charsetOf(s.inputOptions));
    this.quarantineDir = QuarantineFolder.runDir(manifestDir, runId);
    this.sealing = s.malformed == MalformedRows.QUARANTINE ? plan.quarantiningInto(quarantineDir.toString(), conf)
        : plan;
  }

  static EncryptPlan make(EncryptSettings s, Configuration conf, Clock clock, String runId, Instant started,
      InputReader.Input input, Map<String, String> inputFiles) {
    return new EncryptPlan(s, conf, clock, runId, started, input, inputFiles);
  }

  /** Before reading the input, which can start Spark jobs (CSV schema inference). */
  static void checkBeforeReading(EncryptSettings s, Configuration conf) {
    Path manifestDir = DatasetFiles.manifestDir(s.outputPath, s.manifestPath);
    new OutputChecks(s, conf, manifestDir).checkEncodingOfAppend(
        ManifestStore.at(manifestDir, conf).withMacKey(macKey(s)).read());
  }

  /** manifest.macKey as a writer uses it (docs/FORMAT.md 5.4), or null. */
  private static ManifestMacKey macKey(EncryptSettings s) {
    return KeyTrust.writerMacKey(s.keyService, s.manifestMacKey);
  }

  boolean quarantines() {
    return sealing.quarantineDir != null;
  }

  /**
   * Before its own work, a run that may change the dataset finishes the runs that stopped
   * between their data commit and their manifest commit (docs/RELIABILITY.md). output.mode=error
   * changes nothing that exists, so it refuses instead.
   */
  private List<RecoveredRun> recoverUnfinishedRuns() {
    if (s.mode == OutputMode.ERROR) {
      Set<String> pending = DatasetFiles.pendingRecords(conf, manifestDir).keySet();
      if (!pending.isEmpty()) {
        throw new ConfigException("output.path " + s.outputPath + " holds unfinished run(s) " + pending
            + " (output.mode=error changes nothing that exists): "
            + DatasetSnapshot.recoverHint(s.outputPath));
      }
      return List.of();
    }
    return new RunRecovery(conf, s.outputPath, manifestDir, store, clock, "run " + runId, false).recoverAll();
  }

  /** The first KMS call, after every check that needs none. */
  private String describeKey() {
    KeyDescription key = KeyServices.shared(s.keyService).describeKey(s.kmsKey);
    if (!key.enabled()) {
      throw new KeyDisabledException("DescribeKey", key.keyArn(), "the key is " + key.state().kmsName()
          + "; encrypt needs an enabled key");
    }
    return key.keyArn();
  }
}
