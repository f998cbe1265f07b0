package io.columnseal.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code log/} directory of a manifest: lists commit files, reads them and checks each one
 * byte for byte (docs/FORMAT.md section 5, "Reading"). Anything whose name is not 20 digits and
 * ".json" (temp files, Hadoop's .crc files) is ignored.
 */
final class CommitLog {
  static final String LOG_DIR = "log";
  private static final Pattern COMMIT_NAME = Pattern.compile("([0-9]{20})\\.json");

  private final FileSystem fs;
  private final Path logDir;

  CommitLog(FileSystem fs, Path manifestDir) {
    this.fs = fs;
    this.logDir = new Path(manifestDir, LOG_DIR);
  }

  static String fileName(long number) {
    return String.format(Locale.ROOT, "%020d.json", number);
  }

  /**
   * The hidden sibling a create-if-absent mechanism stages {@code target} in. It starts with '.'
   * so this reader (and Hadoop's input formats) skip it if a crash leaves it behind.
   */
  static String tempName(Path target) {
    return "." + target.getName() + "." + UUID.randomUUID() + ".tmp";
  }

  Path path(long number) {
    return new Path(logDir, fileName(number));
  }

  /** Commit files by number; empty if there is no log. Requires the numbers to be 1..N. */
  TreeMap<Long, Path> list() {
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(logDir);
    } catch (FileNotFoundException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new ManifestStorageException("cannot list the manifest log " + logDir, e);
    }
    TreeMap<Long, Path> commits = new TreeMap<>();
    for (FileStatus st : statuses) {
      Matcher m = COMMIT_NAME.matcher(st.getPath().getName());
      if (st.isFile() && m.matches()) {
        commits.put(Long.parseLong(m.group(1)), st.getPath());
      }
    }
    long expected = 1;
    for (long n : commits.keySet()) {
      if (n != expected) {
        throw new ManifestCorruptException(logDir.toString(), "commit " + expected + " is missing (the log has "
            + commits.size() + " commit files, the highest is " + commits.lastKey() + ")");
      }
      expected++;
    }
    return commits;
  }

  /** Reads and checks commits 1..{@code upTo} of {@code commits} and replays them. */
  Replay replay(TreeMap<Long, Path> commits, long upTo) {
    return replayOnto(new Replay(), commits, upTo);
  }

  /** Reads and checks the commits after {@code replay}'s version up to {@code upTo} and applies them. */
  Replay replayOnto(Replay replay, TreeMap<Long, Path> commits, long upTo) {
    for (long n = replay.version() + 1; n <= upTo; n++) {
      Path file = commits.get(n);
      Commit c = readVerified(file, n, replay.lastDigest());
      try {
        replay.apply(c);
      } catch (InvalidCommitException e) {
        throw new ManifestCorruptException(file.toString(), "breaks a replay rule: " + e.getMessage());
      }
    }
    return replay;
  }

  /**
   * Commits 1..{@code upTo}, each checked on its own and against its parent, the last against
   * {@code lastDigest}: the audit trail of a state that was opened from a checkpoint.
   */
  java.util.List<Commit> readChain(TreeMap<Long, Path> commits, long upTo, String lastDigest) {
    java.util.List<Commit> out = new java.util.ArrayList<>();
    String parent = null;
    for (long n = 1; n <= upTo; n++) {
      Commit c = readVerified(commits.get(n), n, parent);
      out.add(c);
      parent = c.digest();
    }
    if (!Objects.equals(parent, lastDigest)) {
      throw new ManifestTamperedException(commits.get(upTo).toString(),
          "its digest is not the one the checkpoint the state was opened from recorded");
    }
    return out;
  }

  /**
   * Reads one commit file and checks, in this order: JSON, format version, canonical bytes,
   * digest, fields, the number in its name, the parent digest.
   */
  Commit readVerified(Path file, long number, String expectedParent) {
    return readVerified(file, number, expectedParent, true);
  }

  private Commit readVerified(Path file, long number, String expectedParent, boolean checkParent) {
    String name = file.toString();
    byte[] bytes = read(file);
    JsonNode tree;
    try {
      tree = CanonicalJson.parse(bytes);
    } catch (IOException e) {
      // Say where, not what: the parser's message quotes file content.
      throw new ManifestCorruptException(name, "not valid JSON" + where(e));
    }
    if (!tree.isObject()) {
      throw new ManifestCorruptException(name, "not a JSON object");
    }
    JsonNode version = tree.get(CommitCodec.FORMAT_VERSION);
    if (version == null || !version.isIntegralNumber() || !version.canConvertToLong()) {
      throw new ManifestCorruptException(name, "lacks an integer \"" + CommitCodec.FORMAT_VERSION + "\"");
    }
    if (!Commit.readable(version.longValue())) {
      throw new UnsupportedManifestVersionException(name, version.longValue());
    }
    byte[] canonical;
    try {
      canonical = CanonicalJson.write(tree);
    } catch (IllegalArgumentException e) {
      throw new ManifestCorruptException(name, e.getMessage());
    }
    if (!Arrays.equals(canonical, bytes)) {
      throw new ManifestTamperedException(name, "its bytes are not the canonical form of its JSON");
    }
    JsonNode digest = tree.get(CommitCodec.DIGEST);
    if (digest == null || !digest.isTextual()) {
      throw new ManifestCorruptException(name, "lacks the string member \"" + CommitCodec.DIGEST + "\"");
    }
    ObjectNode body = ((ObjectNode) tree).deepCopy();
    body.remove(CommitCodec.DIGEST);
    body.remove(CommitCodec.MAC); // the digest does not cover the mac (FORMAT.md 5.4)
    if (!CanonicalJson.sha256Hex(CanonicalJson.write(body)).equals(digest.textValue())) {
      throw new ManifestTamperedException(name, "its digest does not match its content");
    }
    Commit commit;
    try {
      commit = CommitCodec.decode(tree);
    } catch (IllegalArgumentException e) {
      throw new ManifestCorruptException(name, e.getMessage());
    }
    // Catches values that parse but would be written differently (an unsorted list, "+00:00").
    if (!Arrays.equals(CommitCodec.encode(commit), bytes)) {
      throw new ManifestTamperedException(name, "its values are not in canonical form");
    }
    if (commit.number() != number) {
      throw new ManifestTamperedException(name, "it holds commit " + commit.number() + " but is named for commit " + number);
    }
    if (checkParent && !Objects.equals(commit.parentDigest(), expectedParent)) {
      throw new ManifestTamperedException(name, number == 1 ? "commit 1 must have no parent digest"
          : "its parentDigest is not the digest of commit " + (number - 1));
    }
    return commit;
  }

  /** Reads {@code commits} on demand. */
  CommitSource source(TreeMap<Long, Path> commits) {
    return new CommitSource() {
      @Override
      public java.util.List<Commit> upTo(long n, String digest) {
        return readChain(commits, n, digest);
      }

      @Override
      public Commit at(long n, String digest) {
        Commit c = readSelf(commits.get(n), n);
        if (!c.digest().equals(digest)) {
          throw new ManifestTamperedException(commits.get(n).toString(),
              "its digest is not the one the checkpoint the state was opened from recorded");
        }
        return c;
      }
    };
  }

  /** Commit file {@code n} after its own checks (not against its parent). */
  Commit readSelf(Path file, long n) {
    return readVerified(file, n, null, false);
  }

  /** The run id in a commit file, or null if it cannot be read: for conflict messages only. */
  String runIdOf(Path file) {
    try {
      JsonNode runId = CanonicalJson.parse(read(file)).get(CommitCodec.RUN_ID);
      return runId != null && runId.isTextual() ? runId.textValue() : null;
    } catch (IOException | ManifestException e) {
      return null;
    }
  }

  private byte[] read(Path file) {
    try (FSDataInputStream in = fs.open(file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ManifestStorageException("cannot read manifest file " + file, e);
    }
  }

  private static String where(IOException e) {
    if (e instanceof JsonProcessingException) {
      JsonLocation loc = ((JsonProcessingException) e).getLocation();
      if (loc != null) {
        return " (at line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      }
    }
    return "";
  }
}
