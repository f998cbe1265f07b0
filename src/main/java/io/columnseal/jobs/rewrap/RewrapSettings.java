package io.columnseal.jobs.rewrap;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.kms.TrustedKeys;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** A validated rewrap request; the builder checks every value and names the option at fault. */
public final class RewrapSettings {
  public static final double DEFAULT_MAX_RATE = 100;
  public static final int DEFAULT_CONCURRENCY = 16;
  public static final int DEFAULT_SAMPLE_DEKS = 8;

  public final String datasetPath;
  /** Null for {@code <dataset>/_columnseal}. */
  public final String manifestPath;
  /** The key to rewrap to, as the user named it (key id, ARN, alias or alias ARN). */
  public final String targetKey;
  public final boolean dryRun;
  /** ReEncrypt calls per second at most, across all workers. */
  public final double maxRate;
  /** Worker threads, each with at most one KMS call in flight. */
  public final int concurrency;
  /** DEKs whose new wrapping the sample check tries. */
  public final int sampleDeks;
  /** How the new wrappings are proved before the commit; {@link SampleCheckMode#REENCRYPT} by default. */
  public final SampleCheckMode sampleCheck;
  /** True when {@link #sampleCheck} is {@link SampleCheckMode#NONE}. */
  public final boolean skipSampleCheck;
  /** Where to write the JSON report; null for {@code <manifest>/reports/rewrap-<run>.json}. */
  public final String reportPath;
  /** ReEncrypt results per checkpoint file. */
  public final int checkpointBatch;
  /** A checkpoint file is written at least this often while results come in. */
  public final Duration checkpointInterval;
  /** The run stops asking KMS after this many failed DEKs (the cause is usually the same for all). */
  public final int maxFailures;
  /** Commit attempts when other writers keep taking the next manifest version. */
  public final int commitAttempts;
  /** Where progress lines go (stderr in the CLI); null for none. */
  public final PrintStream progress;
  public final Duration progressInterval;
  /** The master keys DEKs may be wrapped under, before and after; null for the default (docs/jobs/rewrap.md). */
  public final TrustedKeys allowedKeys;
  /** manifest.macKey: authenticates the head before rewrapping, and MACs the REWRAP commit; or null. */
  public final String manifestMacKey;

  private RewrapSettings(Builder b) {
    this.datasetPath = b.datasetPath;
    this.manifestPath = b.manifestPath;
    this.targetKey = b.targetKey;
    this.dryRun = b.dryRun;
    this.maxRate = b.maxRate;
    this.concurrency = b.concurrency;
    this.sampleDeks = b.sampleDeks;
    this.sampleCheck = b.sampleCheck;
    this.skipSampleCheck = b.sampleCheck == SampleCheckMode.NONE;
    this.reportPath = b.reportPath;
    this.checkpointBatch = b.checkpointBatch;
    this.checkpointInterval = b.checkpointInterval;
    this.maxFailures = b.maxFailures;
    this.commitAttempts = b.commitAttempts;
    this.progress = b.progress;
    this.progressInterval = b.progressInterval;
    this.allowedKeys = b.trusted;
    this.manifestMacKey = KeyTrust.macKey(b.manifestMacKey);
  }

  public static Builder builder(String datasetPath, String targetKey) {
    return new Builder(datasetPath, targetKey);
  }

  /** Collects a request; {@link #build()} checks it. */
  public static final class Builder {
    private final String datasetPath;
    private final String targetKey;
    private String manifestPath;
    private boolean dryRun;
    private double maxRate = DEFAULT_MAX_RATE;
    private int concurrency = DEFAULT_CONCURRENCY;
    private int sampleDeks = DEFAULT_SAMPLE_DEKS;
    private SampleCheckMode sampleCheck = SampleCheckMode.REENCRYPT;
    private String reportPath;
    private int checkpointBatch = 1000;
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private int maxFailures = 100;
    private int commitAttempts = 5;
    private PrintStream progress;
    private Duration progressInterval = Duration.ofSeconds(5);
    private List<String> allowedKeys;
    private TrustedKeys trusted;
    private String manifestMacKey;

    private Builder(String datasetPath, String targetKey) {
      this.datasetPath = datasetPath;
      this.targetKey = targetKey;
    }

    /** manifest.macKey (key id, alias or ARN of a KMS HMAC key); null for none. */
    public Builder manifestMacKey(String v) {
      this.manifestMacKey = v;
      return this;
    }

    /** kms.allowedKeys entries; null (the default) trusts the account and Region of the dataset's first keys. */
    public Builder allowedKeys(List<String> entries) {
      this.allowedKeys = entries == null ? null : List.copyOf(entries);
      return this;
    }

    public Builder manifestPath(String path) {
      this.manifestPath = path;
      return this;
    }

    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public Builder maxRate(double perSecond) {
      this.maxRate = perSecond;
      return this;
    }

    public Builder concurrency(int threads) {
      this.concurrency = threads;
      return this;
    }

    public Builder sampleDeks(int deks) {
      this.sampleDeks = deks;
      return this;
    }

    public Builder sampleCheck(SampleCheckMode mode) {
      this.sampleCheck = mode;
      return this;
    }

    /** The older spelling: true is {@link SampleCheckMode#NONE}, false the default check. */
    public Builder skipSampleCheck(boolean skip) {
      this.sampleCheck = skip ? SampleCheckMode.NONE : SampleCheckMode.REENCRYPT;
      return this;
    }

    public Builder reportPath(String path) {
      this.reportPath = path;
      return this;
    }

    public Builder checkpointBatch(int entries) {
      this.checkpointBatch = entries;
      return this;
    }

    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = interval;
      return this;
    }

    public Builder maxFailures(int failures) {
      this.maxFailures = failures;
      return this;
    }

    public Builder commitAttempts(int attempts) {
      this.commitAttempts = attempts;
      return this;
    }

    public Builder progress(PrintStream out, Duration interval) {
      this.progress = out;
      this.progressInterval = interval;
      return this;
    }

    /** @throws ConfigException naming the option and what it allows */
    public RewrapSettings build() {
      if (datasetPath == null || datasetPath.isBlank()) {
        throw new ConfigException("Missing --dataset PATH: the columnseal dataset to rewrap");
      }
      if (targetKey == null || targetKey.isBlank()) {
        throw new ConfigException("Missing --to-key KEY: a key id, key ARN, alias/NAME or alias ARN");
      }
      if (!(maxRate >= 1) || Double.isInfinite(maxRate)) {
        throw ConfigException.badValue("--max-rate", maxRate, "a number of DEKs per second, at least 1");
      }
      if (concurrency < 1 || concurrency > 1024) {
        throw ConfigException.badValue("--concurrency", concurrency, "a number of threads between 1 and 1024");
      }
      if (sampleDeks < 1 || sampleDeks > 1000) {
        throw ConfigException.badValue("--sample-deks", sampleDeks,
            "between 1 and 1000 (use --sample-check none to skip the check)");
      }
      if (sampleCheck == null) {
        throw new ConfigException("Missing --sample-check: reencrypt, decrypt or none");
      }
      positive("checkpoint batch", checkpointBatch);
      positive("maximum failures", maxFailures);
      positive("commit attempts", commitAttempts);
      if (checkpointInterval == null || checkpointInterval.isNegative() || checkpointInterval.isZero()
          || progressInterval == null || progressInterval.isNegative() || progressInterval.isZero()) {
        throw new IllegalArgumentException("checkpoint and progress intervals must be positive");
      }
      trusted = KeyTrust.parse(allowedKeys);
      return new RewrapSettings(this);
    }

    private static void positive(String what, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be at least 1, got " + value);
      }
    }
  }
}
