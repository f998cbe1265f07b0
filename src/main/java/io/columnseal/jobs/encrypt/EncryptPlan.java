package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.KeyGroups;
import io.columnseal.crypto.protect.Protection;
import io.columnseal.ConfigException;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.jobs.domain.DomainKeys;
import io.columnseal.jobs.domain.WrappedDomainKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DomainStore;
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
import io.columnseal.kms.EncryptionContext;
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
  /** The master key ARN of kms.key (or of the first key group if no column uses kms.key). */
  final String keyArn;
  /** Key group (configured key reference) -> its master key ARN, in the order of the sealed columns. */
  final Map<String, String> keyGroups;
  final SealingPlan sealing;
  /** The run's quarantine folder (input.malformed=quarantine), used or not. */
  final Path quarantineDir;
  /** Per deterministic, fpe or token column: its checked domain record (FORMAT.md section 11). */
  final Map<String, WrappedDomainKey> domainKeys;
  /** Per deterministic, fpe or token column: its domain, its domain store, and (append) the key id the manifest records. */
  private final Map<String, String> domainOf = new java.util.LinkedHashMap<>();
  private final Map<String, Path> storeOf = new java.util.LinkedHashMap<>();
  private final Map<String, DekId> recordedId = new java.util.HashMap<>();

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
    EncryptPlanning.checkUnsealedPolicies(data, s);
    EncryptPlanning.checkDomainPolicies(data, s);
    this.recovered = recoverUnfinishedRuns();
    checks.checkNotInFlight(recovered, inputFiles);
    this.before = store.read();
    checks.checkOutput(before, data, inputFiles);
    if (input.isEmpty()) {
      throw new InputException("input.path " + s.inputPath + " has no rows: nothing to encrypt");
    }
    OutputProbe.check(conf, s.outputPath, manifestDir, runId);
    planDomains();
    // Page mode: kms.key's group is every file's footer key, whether or not a column uses it.
    this.keyGroups = describeKeys(s.malformed == MalformedRows.QUARANTINE && input.checksMalformed || s.pageMode());
    this.keyArn = keyGroups.getOrDefault(EncryptSettings.PLAIN_GROUP, keyGroups.values().stream().findFirst().orElse(null));
    this.domainKeys = resolveDomainKeys();
    SealingPlan plan = new SealingPlan(s.datasetId, data, ordinals, s.encoding, s.keyService, sealingPolicies(),
        s.extraContext, input.checksMalformed, input.failFast, InputReader.charsetOf(s.inputOptions));
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

  /** manifest.macKey as configured (it MACs this run's pending record), or null. */
  ManifestMacKey macKey() {
    return KeyTrust.macKey(s.keyService, s.manifestMacKey);
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
    if (!DatasetFiles.pendingRecords(conf, manifestDir).isEmpty()) {
      // Recovery commits a record's DEKs into the dataset: the same key check as the recover command.
      io.columnseal.jobs.recovery.RecoverJob.checkKeys(conf, manifestDir, store.read(), s.allowedKeys,
          KeyServices.shared(s.keyService), "encrypt");
    }
    return new RunRecovery(conf, s.outputPath, manifestDir, store, clock, "run " + runId, false, macKey(),
        io.columnseal.jobs.recovery.RecoverJob.keyCheck(manifestDir, s.allowedKeys, KeyServices.shared(s.keyService),
            "encrypt")).recoverAll();
  }

  /**
   * The first KMS calls, after every check that needs none: one DescribeKey per key group, in
   * the order of the sealed columns (kms.key too when quarantined rows are sealed under it).
   */
  private Map<String, String> describeKeys(boolean quarantines) {
    Map<String, String> groups = new java.util.LinkedHashMap<>();
    for (int o : ordinals) {
      groups.put(s.keyGroup(s.policy(data.fields()[o].name())), null);
    }
    if (quarantines) {
      groups.put(EncryptSettings.PLAIN_GROUP, null);
    }
    groups.replaceAll((group, none) -> describeKey(s.keyRef(group)));
    groups.forEach(this::checkMayGenerate);
    return groups;
  }

  /**
   * GenerateDataKey is asked for lazily, inside the tasks: a principal that may not call it under a
   * group's key is told here, before any data is written (AWS: a DryRun with the context the
   * tasks will send, so key-policy and IAM conditions are evaluated as for the real call).
   */
  private void checkMayGenerate(String group, String keyArn) {
    Map<String, String> pairs = new java.util.TreeMap<>(EncryptionContext.forDek(s.datasetId,
        io.columnseal.crypto.DekId.random(new java.security.SecureRandom()).hex(), s.extraContext).asMap());
    if (!s.plainPolicies()) {
      pairs.put(KeyGroups.CONTEXT_KEY, group);
    }
    try {
      KeyServices.shared(s.keyService).checkGenerateDataKey(keyArn, EncryptionContext.of(pairs));
    } catch (io.columnseal.kms.KmsAccessDeniedException e) {
      java.util.List<String> columns = new java.util.ArrayList<>();
      for (int o : ordinals) {
        String name = data.fields()[o].name();
        if (group.equals(s.keyGroup(s.policy(name)))) {
          columns.add(name);
        }
      }
      throw new ConfigException("Cannot encrypt column" + (columns.size() == 1 ? " " : "s ") + String.join(", ", columns)
          + ": this principal may not call kms:GenerateDataKey under " + s.keyRef(group) + " (" + keyArn
          + ") with the dataset's encryption context; checked before any data was written");
    }
  }

  private SealingPolicies sealingPolicies() {
    java.util.List<String> names = new java.util.ArrayList<>(keyGroups.keySet());
    int[] groupOf = new int[ordinals.length];
    Protection[] protectionOf = new Protection[ordinals.length];
    for (int k = 0; k < ordinals.length; k++) {
      ColumnPolicy p = s.policy(data.fields()[ordinals[k]].name());
      groupOf[k] = names.indexOf(s.keyGroup(p));
      protectionOf[k] = p.protection;
    }
    String[] maskShow = new String[data.size()];
    boolean[] dropped = new boolean[data.size()];
    DomainProtection[] domainOf = new DomainProtection[ordinals.length];
    for (int k = 0; k < ordinals.length; k++) {
      ColumnPolicy p = s.policy(data.fields()[ordinals[k]].name());
      WrappedDomainKey key = domainKeys.get(p.name);
      if (key != null) {
        domainOf[k] = new DomainProtection(p.protection, key, p.options);
      }
    }
    for (int i = 0; i < data.size(); i++) {
      ColumnPolicy p = s.policy(data.fields()[i].name());
      if (p != null && p.protection == Protection.MASK) {
        maskShow[i] = p.options.getOrDefault("show", io.columnseal.crypto.protect.MaskStyle.FIRST6_LAST4.configName());
      }
      dropped[i] = p != null && p.protection == Protection.DROP;
    }
    return new SealingPolicies(names, new java.util.ArrayList<>(keyGroups.values()), groupOf, protectionOf,
        Math.max(0, names.indexOf(EncryptSettings.PLAIN_GROUP)),
        // Page mode records column policies even for plain names (format 6), so its DEKs always
        // name their group, as FORMAT.md 5.2 says every DEK of a column with a `key` does.
        !s.plainPolicies() || s.pageMode(), maskShow, dropped, domainOf);
  }

  /**
   * Each deterministic, fpe and token column's domain key: the domain's record (created with
   * GenerateDataKey under the column's master key if the domain is new), checked against what the
   * manifest records for the column on an append and against trust. The config checks ran in
   * {@link #planDomains}, before any KMS call.
   */
  private void planDomains() {
    for (int o : ordinals) {
      ColumnPolicy p = s.policy(data.fields()[o].name());
      if (!p.protection.needsDomainKey()) {
        continue;
      }
      String domain = DomainProtection.domainOf(s.datasetId, p.name, p.options);
      domainOf.put(p.name, domain);
      storeOf.put(p.name, DomainKeys.storeDir(s.domainStore, manifestDir, p.name, p.options.containsKey("domain")));
      ColumnRecord recorded = before.flatMap(m -> m.schema().stream().filter(c -> c.name().equals(p.name)).findFirst())
          .orElse(null);
      if (recorded != null && recorded.options() != null && recorded.options().containsKey(DOMAIN_KEY_ID)) {
        String was = recorded.options().get(DOMAIN);
        if (!domain.equals(was)) {
          throw new ConfigException("Cannot append to " + s.outputPath + ": column " + p.name + " is recorded in domain "
              + was + ", not " + domain + "; keep the column's domain");
        }
        recordedId.put(p.name, DekId.parse(recorded.options().get(DOMAIN_KEY_ID)));
      }
    }
  }

  private Map<String, WrappedDomainKey> resolveDomainKeys() {
    Map<String, WrappedDomainKey> out = new java.util.LinkedHashMap<>();
    KeyService kms = KeyServices.shared(s.keyService);
    for (Map.Entry<String, String> e : domainOf.entrySet()) {
      String column = e.getKey();
      String domain = e.getValue();
      DomainStore store = DomainStore.at(storeOf.get(column), conf);
      String masterArn = keyGroups.get(s.keyGroup(s.policy(column)));
      // Trust of a domain record: kms.allowedKeys, else the account and Region of the master key this
      // run seals the column under. Never the record's own key: whoever can write the store wrote it.
      TrustedKeys trust = s.allowedKeys != null ? s.allowedKeys : TrustedKeys.defaultFor(List.of(masterArn));
      DomainKeys keys = new DomainKeys(store, kms, trust, DomainKeyCache.shared());
      try {
        out.put(column, keys.resolveOrCreate(domain, masterArn, recordedId.get(column)));
      } catch (io.columnseal.jobs.domain.DomainKeyException ex) {
        throw new io.columnseal.jobs.domain.DomainKeyException("column " + column + ": " + ex.getMessage());
      }
    }
    return out;
  }

  /** The options map of the manifest's column record: the configured options, and for a domain column its domain and key id. */
  Map<String, Map<String, String>> recordedOptions() {
    Map<String, Map<String, String>> out = new java.util.HashMap<>();
    for (Map.Entry<String, WrappedDomainKey> e : domainKeys.entrySet()) {
      Map<String, String> o = new java.util.TreeMap<>(s.policy(e.getKey()).options);
      o.put(DOMAIN, e.getValue().domain());
      o.put(DOMAIN_KEY_ID, e.getValue().id().hex());
      out.put(e.getKey(), o);
    }
    return out;
  }

  /** Column record options (FORMAT.md 5.2) of a deterministic, fpe or token column. */
  static final String DOMAIN = "domain";
  static final String DOMAIN_KEY_ID = "domainKeyId";

  private String describeKey(String keyRef) {
    KeyDescription key = KeyServices.shared(s.keyService).describeKey(keyRef);
    if (!key.enabled()) {
      throw new KeyDisabledException("DescribeKey", key.keyArn(), "the key is " + key.state().kmsName()
          + "; encrypt needs an enabled key");
    }
    return key.keyArn();
  }
}
