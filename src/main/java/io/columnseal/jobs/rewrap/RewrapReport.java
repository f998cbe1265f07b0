package io.columnseal.jobs.rewrap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rewrap did, for the terminal and for {@code <manifest>/reports/rewrap-<run>.json}:
 * counts per source key, the target, what was reused from checkpoints, failures by cause,
 * the sample check, duration and rate. Ids, ARNs and counts only, never key bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public final class RewrapReport {
  public static final String COMMITTED = "committed";
  public static final String FAILED = "failed";
  public static final String DRY_RUN = "dry-run";
  public static final String NOTHING_TO_DO = "nothing-to-do";

  /** The sample check's outcome. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class SampleCheck {
    /** {@code reencrypt}, {@code decrypt} or {@code none} (docs/jobs/rewrap.md). */
    public String method;
    public boolean skipped;
    public long deksChecked;
    public long cellsDecrypted;
    /** Page mode: pages decrypted with the new wrappings (null for a cell-mode dataset). */
    public Long pagesDecrypted;
    /** DEKs whose new wrapping was unwrapped although no cell of theirs was found to decrypt. */
    public long deksUnwrappedWithoutCell;
    public String note;

    static SampleCheck of(SampleCheckMode mode) {
      SampleCheck c = new SampleCheck();
      c.method = mode.optionValue();
      c.skipped = mode == SampleCheckMode.NONE;
      c.note = switch (mode) {
        case REENCRYPT -> "ReEncrypts the new wrapping to the target key again: needs no kms:Decrypt, reads no data";
        case DECRYPT -> "decrypts cells (page mode: pages) with the new wrapping: needs kms:Decrypt on the target key";
        case NONE -> "skipped";
      };
      return c;
    }
  }

  public String status;
  public String runId;
  public String datasetId;
  public String path;
  public boolean dryRun;
  public String targetKey;
  public String targetKeyArn;
  public Long manifestVersionBefore;
  public Long manifestVersion;
  public long deks;
  /** DEKs per master key ARN before the rewrap (what the committed commit moved, or would move). */
  public Map<String, Long> deksPerSourceKey = new LinkedHashMap<>();
  public long reEncrypted;
  public long reEncryptCalls;
  public long reusedFromCheckpoint;
  public long checkpointFilesRead;
  public long checkpointFilesSkipped;
  public long checkpointWriteErrors;
  public long failed;
  public long notAttempted;
  public Map<String, Long> failuresByCause = new LinkedHashMap<>();
  public List<RewrapFailures.Example> failures = new ArrayList<>();
  /** DEKs that other writers added while this rewrap ran, and that it rewrapped too. */
  public long deksAddedMeanwhile;
  public int commitAttempts;
  public SampleCheck sampleCheck;
  public int concurrency;
  public double maxRate;
  public String startedAt;
  public long durationMillis;
  /** Successful ReEncrypts per second of the time spent ReEncrypting. */
  public double reEncryptsPerSecond;
  public String error;
  public List<String> warnings = new ArrayList<>();
  /**
   * The token domains of the dataset's deterministic, fpe and token columns ("column in domain"):
   * their keys are in domain records, which this rewrap does not move ({@code rewrap --domain}).
   */
  public List<String> domains = new ArrayList<>();
  public String reportFile;

  /** A few lines for the terminal. */
  public String toTerminal() {
    StringBuilder b = new StringBuilder();
    switch (status) {
      case DRY_RUN:
        b.append("rewrap ").append(datasetId).append(" (manifest version ").append(manifestVersionBefore)
            .append("): dry run, nothing changed\n");
        break;
      case NOTHING_TO_DO:
        b.append("rewrap ").append(datasetId).append(": the manifest has no DEK; nothing to do\n");
        break;
      case COMMITTED:
        b.append("rewrap ").append(datasetId).append(": ").append(String.format("%,d", deks))
            .append(" DEK(s) now under ").append(targetKeyArn).append(" (manifest version ").append(manifestVersion)
            .append(", run ").append(runId).append(") in ").append(String.format("%.1f s", durationMillis / 1000.0))
            .append('\n');
        break;
      default:
        b.append("rewrap ").append(datasetId).append(": FAILED, nothing committed (manifest still at version ")
            .append(manifestVersionBefore).append(")\n");
    }
    b.append("  target: ").append(targetKey).append(targetKey.equals(targetKeyArn) ? "" : " = " + targetKeyArn)
        .append('\n');
    if (!domains.isEmpty()) {
      b.append("  domain keys not moved by this rewrap: ").append(String.join(", ", domains))
          .append(" (rewrap --domain DOMAIN for each)\n");
    }
    deksPerSourceKey.forEach((k, n) -> b.append("  ").append(String.format("%,d", n)).append(" DEK(s) ")
        .append(status.equals(COMMITTED) ? "were" : "are").append(" under ").append(k).append('\n'));
    warnings.forEach(w -> b.append("  WARNING: ").append(w).append('\n'));
    if (status.equals(DRY_RUN)) {
      b.append("  would ReEncrypt ").append(String.format("%,d", deks - reusedFromCheckpoint))
          .append(" DEK(s); ").append(String.format("%,d", reusedFromCheckpoint))
          .append(" reusable from checkpoints of an earlier run\n");
      return b.toString();
    }
    if (status.equals(NOTHING_TO_DO)) {
      return b.toString();
    }
    b.append("  ReEncrypt: ").append(String.format("%,d", reEncrypted)).append(" ok of ")
        .append(String.format("%,d", reEncryptCalls)).append(" call(s) (").append(String.format("%,.0f", reEncryptsPerSecond))
        .append("/s, concurrency ").append(concurrency).append(", max rate ").append(String.format("%,.0f", maxRate))
        .append("/s); reused from checkpoints: ").append(String.format("%,d", reusedFromCheckpoint));
    if (deksAddedMeanwhile > 0) {
      b.append("; added by other writers meanwhile: ").append(String.format("%,d", deksAddedMeanwhile));
    }
    if (commitAttempts > 0) {
      b.append("; commit attempts: ").append(commitAttempts);
    }
    b.append('\n');
    if (sampleCheck != null) {
      if (sampleCheck.skipped) {
        b.append("  sample check: SKIPPED (--sample-check none): the new wrapping was not tried before the commit\n");
      } else if ("reencrypt".equals(sampleCheck.method)) {
        b.append("  sample check: ").append(sampleCheck.deksChecked)
            .append(" DEK(s) whose new wrapping KMS unwrapped (ReEncrypt to the target key)\n");
      } else {
        boolean pages = sampleCheck.pagesDecrypted != null;
        b.append("  sample check: ").append(sampleCheck.deksChecked).append(" DEK(s), ")
            .append(pages ? sampleCheck.pagesDecrypted : sampleCheck.cellsDecrypted)
            .append(pages ? " page(s)" : " cell(s)").append(" decrypted with the new wrapping");
        if (sampleCheck.deksUnwrappedWithoutCell > 0) {
          b.append(", ").append(sampleCheck.deksUnwrappedWithoutCell)
              .append(pages ? " unwrapped (no live file bound)" : " unwrapped (no cell found)");
        }
        b.append('\n');
      }
    }
    if (failed > 0 || notAttempted > 0) {
      b.append("  failed: ").append(String.format("%,d", failed)).append(" DEK(s)");
      if (notAttempted > 0) {
        b.append(", not attempted: ").append(String.format("%,d", notAttempted)).append(" (stopped after ")
            .append(failed).append(" failures)");
      }
      b.append('\n');
      failuresByCause.forEach((c, n) -> b.append("    ").append(String.format("%,d", n)).append(" x ").append(c).append('\n'));
      failures.stream().limit(3).forEach(f -> b.append("    e.g. DEK ").append(f.dek).append(": ").append(f.error)
          .append('\n'));
    }
    if (error != null && failed == 0) {
      b.append("  cause: ").append(error).append('\n');
    }
    if (reportFile != null) {
      b.append("  report: ").append(reportFile).append('\n');
    }
    return b.toString();
  }
}
