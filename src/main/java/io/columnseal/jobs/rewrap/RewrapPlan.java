package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.kms.KeyService;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * What a rewrap will do against one manifest version: every DEK of that version, the target
 * key's ARN (resolved once, so every DEK goes to the same key even if an alias moves meanwhile),
 * the checkpointed results that still apply, and the DEKs left to ReEncrypt. Made by
 * {@link RewrapJob#plan}; nothing has been changed yet.
 */
public final class RewrapPlan {
  final Configuration conf;
  final RewrapSettings settings;
  final KeyService kms;
  final DatasetSnapshot snapshot;
  final String targetArn;
  final String runId;
  final Instant started;
  final RewrapCheckpoints checkpoints;
  final Map<DekId, RewrapEntry> reusable = new HashMap<>();
  final List<DekRecord> todo = new ArrayList<>();
  final RewrapReport report = new RewrapReport();
  private boolean executed;

  RewrapPlan(Configuration conf, RewrapSettings settings, KeyService kms, DatasetSnapshot snapshot, String targetArn,
      String runId, Instant started) {
    this.conf = conf;
    this.settings = settings;
    this.kms = kms;
    this.snapshot = snapshot;
    this.targetArn = targetArn;
    this.runId = runId;
    this.started = started;
    ManifestState state = snapshot.state;
    this.checkpoints = new RewrapCheckpoints(conf, snapshot.manifestDir, state.datasetId(), targetArn, runId);
    RewrapCheckpoints.Loaded loaded = checkpoints.load();
    for (DekRecord d : state.deks().values()) {
      RewrapEntry e = loaded.entries.get(d.id());
      if (e != null && e.appliesTo(d, targetArn)) {
        reusable.put(d.id(), e);
      } else {
        todo.add(d);
      }
    }

    report.status = settings.dryRun ? RewrapReport.DRY_RUN
        : state.deks().isEmpty() ? RewrapReport.NOTHING_TO_DO : RewrapReport.FAILED;
    report.runId = runId;
    report.datasetId = state.datasetId();
    report.path = settings.datasetPath;
    report.dryRun = settings.dryRun;
    report.targetKey = settings.targetKey;
    report.targetKeyArn = targetArn;
    report.manifestVersionBefore = state.version();
    report.deks = state.deks().size();
    for (io.columnseal.manifest.ColumnRecord c : state.schema()) {
      if (c.options() != null && c.options().containsKey("domainKeyId")) {
        report.domains.add(c.name() + " in " + c.options().get("domain"));
      }
    }
    report.deksPerSourceKey = perSourceKey(state);
    report.reusedFromCheckpoint = reusable.size();
    report.checkpointFilesRead = loaded.files;
    report.checkpointFilesSkipped = loaded.skippedFiles;
    report.concurrency = settings.concurrency;
    report.maxRate = settings.maxRate;
    report.startedAt = started.toString();
    List<String> pending = snapshot.pendingRuns(conf);
    if (!pending.isEmpty()) {
      report.warnings.add("encrypt run(s) " + pending + " wrote data but have not committed the manifest (still "
          + "running, or stopped): DEKs they commit later stay under the key they used; run verify, and rewrap "
          + "again if it shows DEKs under the old key");
    }
  }

  /** The manifest version this plan was made against. */
  public ManifestState state() {
    return snapshot.state;
  }

  /** The target key's ARN as DescribeKey answered it. */
  public String targetKeyArn() {
    return targetArn;
  }

  /** DEKs whose checkpointed ReEncrypt result still applies. */
  public int reusable() {
    return reusable.size();
  }

  /** DEKs that {@link #execute()} will ReEncrypt. */
  public int toReEncrypt() {
    return todo.size();
  }

  /** The report so far (for a dry run, all there is). */
  public RewrapReport report() {
    return report;
  }

  /**
   * ReEncrypts every DEK that has no reusable result, checkpointing as it goes. Failures are
   * collected, not thrown: {@link RewrapResult#complete()} says whether the result can commit.
   */
  public RewrapResult execute() {
    if (settings.dryRun) {
      throw new IllegalStateException("a dry run makes no ReEncrypt call");
    }
    if (executed) {
      throw new IllegalStateException("this plan was executed already; plan again");
    }
    executed = true;
    RewrapWorkers workers = new RewrapWorkers(kms, targetArn, settings, checkpoints);
    RewrapWorkers.Pass pass = workers.run(todo, reusable.size(), snapshot.state.deks().size());
    Map<DekId, RewrapEntry> entries = new HashMap<>(reusable);
    entries.putAll(pass.entries);
    return new RewrapResult(this, workers, entries, pass);
  }

  static Map<String, Long> perSourceKey(ManifestState state) {
    Map<String, Long> counts = new TreeMap<>();
    state.deks().values().forEach(d -> counts.merge(d.keyArn(), 1L, Long::sum));
    return counts;
  }

  @Override
  public String toString() {
    return "RewrapPlan[dataset " + snapshot.state.datasetId() + " version " + snapshot.state.version() + " to "
        + targetArn + ": " + todo.size() + " to ReEncrypt, " + reusable.size() + " reusable]";
  }
}
