package io.columnseal.manifest;

import java.io.IOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset's key manifest on any Hadoop file system: a log of immutable numbered commit files
 * under {@code <dir>/log/}, each created with create-if-absent (see {@link AtomicCreate} for
 * what that guarantees on each file system). Reading replays and checks every commit; writing
 * checks the draft against the state it follows and takes the next number or fails with
 * {@link CommitConflictException}. docs/FORMAT.md section 5 is the format.
 *
 * <p>Thread-safe: it holds no mutable state; concurrency control is the file system's.
 */
public final class ManifestStore {
  /** The manifest directory's name inside the dataset, by default. */
  public static final String DEFAULT_DIR_NAME = "_columnseal";

  private final FileSystem fs;
  private final Path dir;
  private final CommitLog log;
  private final Clock clock;
  private final AtomicCreate create;
  private final Configuration conf;
  /** manifest.macKey, or null: commits are then neither verified nor signed. */
  private final ManifestMacKey macKey;
  private final Checkpoints checkpoints;
  private final int checkpointInterval;

  /** Hadoop configuration key: write a checkpoint after every this many commits (0 = never). */
  public static final String CHECKPOINT_INTERVAL = "columnseal.manifest.checkpointInterval";
  /** Hadoop configuration key: {@code false} makes readers ignore checkpoints (replay from commit 1). */
  public static final String CHECKPOINT_READ = "columnseal.manifest.checkpointRead";
  private static final Logger LOG = LoggerFactory.getLogger(ManifestStore.class);
  private final boolean readCheckpoints;

  private ManifestStore(FileSystem fs, Path dir, Clock clock, AtomicCreate create, Configuration conf, ManifestMacKey macKey) {
    this.fs = fs;
    this.dir = dir;
    this.log = new CommitLog(fs, dir);
    this.clock = clock;
    this.create = create;
    this.macKey = macKey;
    this.conf = conf;
    this.checkpoints = new Checkpoints(fs, dir);
    this.checkpointInterval = conf.getInt(CHECKPOINT_INTERVAL, 10);
    if (checkpointInterval < 0) {
      throw new IllegalArgumentException(CHECKPOINT_INTERVAL + " must be 0 (never) or more, got " + checkpointInterval);
    }
    this.readCheckpoints = conf.getBoolean(CHECKPOINT_READ, true);
  }

  /**
   * This store with manifest.macKey (null for none): reads refuse a head it does not
   * authenticate, and commits are written as format 4 with a MAC (docs/FORMAT.md 5.4, 5.6).
   */
  public ManifestStore withMacKey(ManifestMacKey key) {
    return new ManifestStore(fs, dir, clock, create, conf, key);
  }

  /** {@code <datasetRoot>/_columnseal}. */
  public static Path defaultDir(Path datasetRoot) {
    return new Path(datasetRoot, DEFAULT_DIR_NAME);
  }

  public static ManifestStore at(Path dir, Configuration conf) {
    return at(dir, conf, Clock.systemUTC());
  }

  /** With the clock that stamps commit times. */
  public static ManifestStore at(Path dir, Configuration conf, Clock clock) {
    FileSystem fs = fileSystem(dir, conf);
    Path qualified = fs.makeQualified(dir);
    return new ManifestStore(fs, qualified, clock, AtomicCreate.forScheme(qualified.toUri().getScheme()), conf, null);
  }

  /** With an explicit create-if-absent mechanism (tests, or a file system {@link AtomicCreate#forScheme} misjudges). */
  static ManifestStore at(Path dir, Configuration conf, Clock clock, AtomicCreate create) {
    FileSystem fs = fileSystem(dir, conf);
    return new ManifestStore(fs, fs.makeQualified(dir), clock, create, conf, null);
  }

  /** The manifest directory, fully qualified. */
  public Path dir() {
    return dir;
  }

  /** Where commit {@code number} lives: {@code <dir>/log/<number, 20 digits>.json}. */
  public Path commitPath(long number) {
    return log.path(number);
  }

  /** Where the checkpoint of {@code version} lives: {@code <dir>/checkpoints/<version, 20 digits>.json}. */
  public Path checkpointPath(long version) {
    return checkpoints.path(version);
  }

  /**
   * The latest state, or empty if the manifest has no commit yet.
   *
   * <p>Fails with {@link ManifestCorruptException}, {@link ManifestTamperedException} or
   * {@link UnsupportedManifestVersionException} naming the first commit file that fails its
   * checks; with a MAC key, {@link ManifestNotAuthenticatedException} if the head is not
   * authenticated by it.
   */
  public Optional<ManifestState> read() {
    TreeMap<Long, Path> commits = log.list();
    if (commits.isEmpty()) {
      return Optional.empty();
    }
    ManifestState state = replay(commits, commits.lastKey()).snapshot();
    if (macKey != null) {
      macKey.requireTrusted(state.lastCommit(), commits.lastEntry().getValue()); // the head only: no history read
    }
    return Optional.of(state);
  }

  /**
   * The state as of {@code version} (commits 1..version).
   *
   * @throws NoSuchManifestVersionException if the manifest has no such version
   */
  public ManifestState readAt(long version) {
    TreeMap<Long, Path> commits = log.list();
    long latest = commits.isEmpty() ? 0 : commits.lastKey();
    if (version < 1 || version > latest) {
      throw new NoSuchManifestVersionException("the manifest at " + dir + " has "
          + (latest == 0 ? "no commit" : "versions 1.." + latest) + "; there is no version " + version);
    }
    if (macKey != null) {
      // An older version is authenticated through the chain from the head, so check the head.
      ManifestState head = replay(commits, latest).snapshot();
      macKey.requireTrusted(head.lastCommit(), commits.lastEntry().getValue());
    }
    return replay(commits, version).snapshot();
  }

  /**
   * The state at {@code upTo}: from the newest checkpoint at or below it that loads and chains
   * onto the log, plus the commits after it; from commit 1 if there is none (docs/FORMAT.md 5.10).
   */
  private Replay replay(TreeMap<Long, Path> commits, long upTo) {
    // With manifest.macKey a checkpoint counts only if its MAC verifies (docs/FORMAT.md 5.10).
    if (readCheckpoints) {
      for (long v : checkpoints.candidates(upTo)) {
        try {
          Checkpoint cp = checkpoints.read(v, macKey);
          // The replay chains it: commit v + 1, if any, must name cp.digest as its parent and cp's
          // dataset. Commit v itself is not read (it may be a REWRAP of a million DEKs): the audit
          // (verify) compares a checkpoint at the head with the log.
          Replay from = new Replay(cp, log.source(commits));
          return log.replayOnto(from, commits, upTo);
        } catch (ManifestCorruptException | ManifestTamperedException | IllegalArgumentException e) {
          Checkpoints.warnSkipped(v, e);
        }
      }
    }
    return log.replay(commits, upTo);
  }

  /**
   * Writes a checkpoint of the latest version now, whatever the interval: the documented way to
   * let a long log of an older release open quickly.
   *
   * @return the version checkpointed, empty if the manifest has no commit
   */
  public Optional<Long> checkpoint() {
    TreeMap<Long, Path> commits = log.list();
    if (commits.isEmpty()) {
      return Optional.empty();
    }
    Replay r = log.replay(commits, commits.lastKey());
    try {
      checkpoints.write(r.toCheckpoint(), create);
    } catch (IOException e) {
      throw new ManifestStorageException("cannot write checkpoint " + r.version() + " at " + checkpoints.path(r.version()), e);
    }
    return Optional.of(r.version());
  }

  /**
   * The audit: replays the whole log and compares every checkpoint with it. Each finding names
   * the checkpoint version and what differs; empty when all agree.
   */
  public java.util.List<String> auditCheckpoints() {
    return CheckpointAudit.run(log, checkpoints);
  }

  private void maybeCheckpoint(Commit commit, Replay after) {
    boolean due = checkpointInterval > 0
        && (commit.number() % checkpointInterval == 0 || commit.kind() == CommitKind.REWRAP);
    if (!due) {
      return;
    }
    try {
      checkpoints.write(after.toCheckpoint(), create, macKey);
    } catch (IOException | RuntimeException e) {
      // The commit is done; a missing checkpoint only costs the next reader time.
      LOG.warn("Commit {} of dataset {} is written, but its checkpoint is not: {}", commit.number(),
          commit.datasetId(), e.getMessage());
    }
  }

  /**
   * Writes {@code draft} as commit {@code expectedVersion + 1}: {@code expectedVersion} is the
   * version the caller planned against (0 for a new dataset). The commit's time is the store's
   * clock; its parent digest is that of commit {@code expectedVersion}.
   *
   * @return the commit as written
   * @throws CommitConflictException if that number exists already (retryable: read, re-plan if
   *     needed, commit on the new version)
   * @throws InvalidCommitException if the draft breaks a rule against the state at
   *     {@code expectedVersion}; nothing is written
   * @throws NoSuchManifestVersionException if the manifest has fewer than {@code expectedVersion} commits
   */
  public Commit commit(CommitDraft draft, long expectedVersion) {
    Written w = write(draft, expectedVersion);
    if (checkpointInterval > 0
        && (w.commit.number() % checkpointInterval == 0 || w.commit.kind() == CommitKind.REWRAP)) {
      w.replay.apply(w.commit);
      maybeCheckpoint(w.commit, w.replay);
    }
    return w.commit;
  }

  /**
   * {@link #commit}, returning the state the new commit makes: the replay the commit was checked
   * against, with the commit applied, so the caller need not read and check the whole log again.
   */
  public ManifestState commitAndRead(CommitDraft draft, long expectedVersion) {
    Written w = write(draft, expectedVersion);
    w.replay.apply(w.commit);
    maybeCheckpoint(w.commit, w.replay);
    return w.replay.snapshot();
  }

  private Written write(CommitDraft draft, long expectedVersion) {
    if (expectedVersion < 0) {
      throw new IllegalArgumentException("expected version must be >= 0, got " + expectedVersion);
    }
    long number = expectedVersion + 1;
    TreeMap<Long, Path> commits = log.list();
    long latest = commits.isEmpty() ? 0 : commits.lastKey();
    if (latest >= number) {
      throw conflict(draft, number);
    }
    if (latest < expectedVersion) {
      throw new NoSuchManifestVersionException("cannot commit after version " + expectedVersion + " of the manifest at "
          + dir + ": it has " + (latest == 0 ? "no commit" : "versions 1.." + latest));
    }
    Replay replay = expectedVersion == 0 ? new Replay() : replay(commits, expectedVersion);
    if (macKey != null && expectedVersion > 0) {
      macKey.requireAppendable(replay.snapshot().lastCommit(), commits.get(expectedVersion));
    }
    // Milliseconds are plenty for an audit trail and keep the times short and uniform.
    Commit.Builder b =
        Commit.fromDraft(draft, number, clock.instant().truncatedTo(ChronoUnit.MILLIS), replay.lastDigest());
    if (macKey != null && b.formatVersion() < 4) {
      b.formatVersion(4); // version 5 (column policies) holds a mac too
    }
    Commit commit = b.seal();
    replay.check(commit);
    if (macKey != null) {
      commit = commit.withMac(macKey.sign(commit)); // before the create-if-absent: a commit is whole or absent
    }
    boolean created;
    try {
      created = create.createIfAbsent(fs, log.path(number), CommitCodec.encode(commit));
    } catch (IOException e) {
      throw new ManifestStorageException("cannot write commit " + number + " of dataset " + draft.datasetId() + " at "
          + log.path(number), e);
    }
    if (!created) {
      throw conflict(draft, number);
    }
    return new Written(commit, replay);
  }

  /** A commit as written, and the replay of the versions before it. */
  private static final class Written {
    final Commit commit;
    final Replay replay;

    Written(Commit commit, Replay replay) {
      this.commit = commit;
      this.replay = replay;
    }
  }

  private CommitConflictException conflict(CommitDraft draft, long number) {
    Path taken = log.path(number);
    return new CommitConflictException(draft.datasetId(), number, taken.toString(), log.runIdOf(taken));
  }

  private static FileSystem fileSystem(Path dir, Configuration conf) {
    try {
      return dir.getFileSystem(conf);
    } catch (IOException e) {
      throw new ManifestStorageException("cannot open the file system of " + dir, e);
    }
  }

  @Override
  public String toString() {
    return "ManifestStore[" + dir + "]";
  }
}
