package io.columnseal.jobs.dataset;

import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitDraft;
import io.columnseal.manifest.CommitKind;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code manifest authenticate}: the one explicit step that gives a dataset written without
 * manifest.macKey its first MAC (docs/FORMAT.md 5.4.1). Writers never do it implicitly: whether a
 * log "never had a MAC" is judged from the log itself, which whoever can write it controls. The
 * operator is shown what is vouched for; the commit written adds and changes nothing, and only
 * onto the head whose digest was shown.
 */
public final class ManifestAuthentication {
  /** What the command vouches for: the head as read without the key. */
  public final String datasetId;
  public final long version;
  public final String headDigest;
  public final int liveFiles;
  public final Map<String, Long> deksByKeyArn;
  /** The head already carries a MAC the key verifies: nothing to do. */
  public final boolean alreadyAuthenticated;
  private final ManifestStore unkeyed;
  private final ManifestMacKey key;

  private ManifestAuthentication(ManifestState s, boolean already, ManifestStore unkeyed, ManifestMacKey key) {
    this.unkeyed = unkeyed;
    this.key = key;
    this.datasetId = s.datasetId();
    this.version = s.version();
    this.headDigest = s.lastCommit().digest();
    this.liveFiles = s.liveFiles().size();
    this.deksByKeyArn = new TreeMap<>(KeyTrust.countByKey(s.deks().values()));
    this.alreadyAuthenticated = already;
  }

  /**
   * Reads the whole log without the key (every check of the chain but the MAC; no checkpoint,
   * which nothing authenticates yet) and says what would be vouched for.
   *
   * @throws DatasetException when there is no manifest, or some commit carries a MAC but the head
   *     is not authenticated by the key: then the log was rolled back, forged or written with
   *     another key, and vouching for it is refused
   */
  public static ManifestAuthentication inspect(Path manifestDir, Configuration conf, ManifestMacKey key,
      String dataset) {
    Configuration replayOnly = new Configuration(conf);
    replayOnly.setBoolean(ManifestStore.CHECKPOINT_READ, false);
    ManifestStore unkeyed = ManifestStore.at(manifestDir, replayOnly);
    ManifestState s = unkeyed.read().orElseThrow(() -> new DatasetException("no columnseal manifest at "
        + unkeyed.dir() + ": " + dataset + " is not a columnseal dataset (if its manifest lives elsewhere, set"
        + " manifest.path)"));
    Commit head = s.lastCommit();
    String problem = key.problem(head);
    if (problem == null) {
      return new ManifestAuthentication(s, true, unkeyed, key);
    }
    Commit macd = null;
    for (Commit c : s.history()) {
      if (c.mac() != null) {
        macd = c;
      }
    }
    if (macd != null) {
      throw new DatasetException("refused to authenticate dataset " + s.datasetId() + ": its head, commit "
          + head.number() + ", is not authenticated by manifest.macKey " + key.keyId() + " (" + problem + "), but commit "
          + macd.number() + " carries a MAC: the log was rolled back, forged or written with another key since."
          + " Restore " + unkeyed.dir() + " to its last authenticated commit (storage versions) instead");
    }
    return new ManifestAuthentication(s, false, unkeyed, key);
  }

  /** What is vouched for, one line (names, counts and digests only). */
  public String describe() {
    return "dataset " + datasetId + ": version " + version + ", head digest " + headDigest + ", " + liveFiles
        + " live files, DEKs per master key " + deksByKeyArn;
  }

  /**
   * Writes the MAC'd commit that changes nothing (kind ENCRYPT adding no file and no DEK,
   * operation {@code mode=authenticate}) onto the head {@link #inspect} saw.
   */
  public Commit commit(Instant now) {
    CommitDraft draft = CommitDraft.builder(CommitKind.ENCRYPT, datasetId, RunIds.next(now))
        .operation("mode", "authenticate").operation("headDigest", headDigest).build();
    return unkeyed.withMacKey(key.adopting(headDigest)).commit(draft, version);
  }
}
