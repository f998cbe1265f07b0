package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.manifest.CommitConflictException;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ReEncrypt results of an executed plan, not yet committed. {@link #commit()} checks a
 * sample and writes one REWRAP commit naming every DEK of the state it follows; when another
 * writer took that version first, it reads the manifest again, ReEncrypts the DEKs it has no
 * applicable result for (those the other writer added, or rewrapped itself), and tries again,
 * a bounded number of times. No DEK is ever left out silently: the commit names every DEK of
 * the version it follows, or there is no commit.
 */
public final class RewrapResult {
  private static final Logger LOG = LoggerFactory.getLogger(RewrapResult.class);

  private final RewrapPlan plan;
  private final RewrapWorkers workers;
  private final Map<DekId, RewrapEntry> entries;
  private final RewrapFailures failures;
  private final long notAttempted;
  private final long reEncryptedFirstPass;
  private boolean committed;

  RewrapResult(RewrapPlan plan, RewrapWorkers workers, Map<DekId, RewrapEntry> entries, RewrapWorkers.Pass pass) {
    this.plan = plan;
    this.workers = workers;
    this.entries = entries;
    this.failures = pass.failures;
    this.notAttempted = pass.notAttempted;
    this.reEncryptedFirstPass = pass.entries.size();
    RewrapReport r = plan.report;
    r.reEncrypted = reEncryptedFirstPass;
    r.failed = failures.count();
    r.notAttempted = notAttempted;
    r.failuresByCause = failures.byCause();
    r.failures = new ArrayList<>(failures.examples());
  }

  /** True when every DEK of the planned state has a new wrapping. */
  public boolean complete() {
    return failures.count() == 0 && notAttempted == 0;
  }

  public long failed() {
    return failures.count();
  }

  public RewrapReport report() {
    return plan.report;
  }

  /**
   * Checks the sample and commits one REWRAP version; then deletes the checkpoints and writes
   * the report (the report is written on failure too).
   *
   * @return the report, status {@code committed}
   * @throws RewrapFailedException if a DEK failed, the sample check failed, or other writers
   *     kept taking the next version; nothing was committed
   */
  public RewrapReport commit() {
    if (committed) {
      throw new IllegalStateException("this rewrap was committed already");
    }
    RewrapReport r = plan.report;
    try {
      if (!complete()) {
        throw failed(subject(plan.snapshot.state), failures, notAttempted, plan.snapshot.state.deks().size());
      }
      commitWithRetries(r);
      committed = true;
      r.status = RewrapReport.COMMITTED;
      plan.checkpoints.delete();
      return r;
    } catch (RuntimeException e) {
      r.status = RewrapReport.FAILED;
      r.error = e.getMessage();
      throw e instanceof RewrapFailedException ? ((RewrapFailedException) e).withReport(r) : e;
    } finally {
      finish(r);
    }
  }

  private void commitWithRetries(RewrapReport r) {
    ManifestStore store = ManifestStore.at(plan.snapshot.manifestDir, plan.conf)
        .withMacKey(KeyTrust.writerMacKey(plan.kms, plan.settings.manifestMacKey));
    ManifestState state = plan.snapshot.state;
    NewWrappingCheck sample = plan.settings.sampleCheck != SampleCheckMode.DECRYPT
        ? new ReEncryptSampleCheck(plan.kms, plan.targetArn, plan.settings.sampleDeks)
        : io.columnseal.jobs.dataset.DatasetCellEncoding.isPage(state)
        ? new PageRewrapSampleCheck(plan.conf, plan.settings.datasetPath, plan.kms, plan.settings.sampleDeks)
        : new RewrapSampleCheck(plan.conf, plan.settings.datasetPath, plan.kms, plan.settings.sampleDeks);
    r.sampleCheck = RewrapReport.SampleCheck.of(plan.settings.sampleCheck);
    if (plan.settings.skipSampleCheck) {
      LOG.warn("rewrap of dataset {}: the sample check is skipped (--sample-check none); the new wrappings are "
          + "committed without being tried", state.datasetId());
    }
    Map<DekId, RewrapEntry> unchecked = entries;
    for (int attempt = 1; ; attempt++) {
      if (!plan.settings.skipSampleCheck) {
        try {
          sample.check(state, unchecked, r.sampleCheck);
        } catch (RewrapFailedException e) {
          throw new RewrapFailedException(subject(state) + ": " + e.getMessage() + "; nothing committed. The "
              + "ReEncrypt results are checkpointed in " + plan.checkpoints.dir() + ": delete that folder to "
              + "ReEncrypt every DEK afresh", e.getCause());
        }
      }
      r.commitAttempts = attempt;
      CommitDraft draft = draft(state, r);
      try {
        store.commit(draft, state.version());
        r.manifestVersion = state.version() + 1;
        r.deks = state.deks().size();
        return;
      } catch (CommitConflictException e) {
        if (attempt >= plan.settings.commitAttempts) {
          throw new RewrapFailedException(subject(state) + ": other writers took the next manifest version " + attempt + " times in a row (last: run "
              + e.winnerRunId() + "); nothing committed. Run rewrap again when the writers are done: the "
              + "finished DEKs are checkpointed", e);
        }
        LOG.info("rewrap of dataset {}: run {} committed version {} first; catching up", state.datasetId(),
            e.winnerRunId(), e.number());
        state = store.read().orElseThrow();
        unchecked = catchUp(state, r);
      }
    }
  }

  /** ReEncrypts the DEKs of {@code state} that have no applicable result; returns the new results. */
  private Map<DekId, RewrapEntry> catchUp(ManifestState state, RewrapReport r) {
    List<DekRecord> todo = new ArrayList<>();
    long added = 0;
    for (DekRecord d : state.deks().values()) {
      RewrapEntry e = entries.get(d.id());
      if (e == null || !e.appliesTo(d, plan.targetArn)) {
        todo.add(d);
        if (e == null) {
          added++;
        }
      }
    }
    r.deksAddedMeanwhile += added;
    // DEKs another writer added meanwhile are held to the same list before any ReEncrypt.
    KeyTrust.check(plan.settings.allowedKeys, state, KeyTrust.countByKey(todo), plan.kms, "rewrap catch-up");
    RewrapWorkers.Pass pass = workers.run(todo, state.deks().size() - todo.size(), state.deks().size());
    r.reEncrypted += pass.entries.size();
    if (pass.failures.count() > 0 || pass.notAttempted > 0) {
      r.failed += pass.failures.count();
      r.notAttempted += pass.notAttempted;
      pass.failures.byCause().forEach((c, n) -> r.failuresByCause.merge(c, n, Long::sum));
      r.failures.addAll(pass.failures.examples());
      throw failed(subject(state), pass.failures, pass.notAttempted, todo.size());
    }
    entries.putAll(pass.entries);
    return new HashMap<>(pass.entries);
  }

  private CommitDraft draft(ManifestState state, RewrapReport r) {
    CommitDraft.Builder draft = CommitDraft.builder(CommitKind.REWRAP, state.datasetId(), plan.runId)
        .operation("toKey", plan.settings.targetKey)
        .operation("toKeyArn", plan.targetArn)
        .operation("sampleCheck", plan.settings.skipSampleCheck ? "skipped" : "passed");
    Map<String, Long> perSource = new TreeMap<>();
    for (DekRecord d : state.deks().values()) {
      RewrapEntry e = entries.get(d.id());
      if (e == null || !e.appliesTo(d, plan.targetArn)) {
        // Every DEK of the state has a result by construction; a gap here is a bug, never a silent skip.
        throw new IllegalStateException("rewrap of dataset " + state.datasetId() + ": no new wrapping for DEK "
            + d.id() + " of version " + state.version());
      }
      draft.rewrap(e.toRewrapped());
      perSource.merge(d.keyArn(), 1L, Long::sum);
    }
    r.deksPerSourceKey = perSource;
    return draft.stat("deks", state.deks().size()).stat("reusedFromCheckpoint", r.reusedFromCheckpoint).build();
  }

  private String subject(ManifestState state) {
    return "rewrap of dataset " + state.datasetId() + " to " + plan.targetArn;
  }

  static RewrapFailedException failed(String subject, RewrapFailures failures, long notAttempted, long of) {
    StringBuilder b = new StringBuilder(subject).append(": ");
    b.append(failures.count()).append(" of ").append(of).append(" DEK(s) failed to ReEncrypt");
    if (notAttempted > 0) {
      b.append(" and ").append(notAttempted).append(" were not attempted (stopped after ").append(failures.count())
          .append(" failures)");
    }
    b.append(", nothing committed:");
    failures.byCause().forEach((cause, n) -> b.append(' ').append(n).append(" x ").append(cause).append(';'));
    failures.examples().stream().findFirst().ifPresent(e -> b.append(" e.g. DEK ").append(e.dek).append(": ")
        .append(e.error).append(';'));
    long succeeded = of - failures.count() - notAttempted;
    b.append(succeeded > 0 ? " the " + succeeded + " DEK(s) that succeeded are checkpointed for the next run"
        : " no DEK succeeded");
    return new RewrapFailedException(b.toString());
  }

  private void finish(RewrapReport r) {
    r.reEncryptCalls = workers.calls();
    r.checkpointWriteErrors = workers.checkpointErrors();
    double seconds = workers.nanos() / 1e9;
    r.reEncryptsPerSecond = seconds > 0 ? Math.round(r.reEncrypted / seconds * 10) / 10.0 : 0;
    r.durationMillis = Instant.now().toEpochMilli() - plan.started.toEpochMilli();
    Path target = plan.settings.reportPath != null ? new Path(plan.settings.reportPath)
        : new Path(new Path(plan.snapshot.manifestDir, "reports"), "rewrap-" + plan.runId + ".json");
    r.reportFile = target.toString();
    try {
      RunSummaries.write(plan.conf, target, r);
    } catch (RuntimeException e) {
      r.reportFile = null;
      LOG.warn("could not write the rewrap report to {}: {}", target, e.toString());
    }
  }
}
