package io.columnseal.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;

/**
 * verify's check of the checkpoints: replays the log from commit 1 and compares each checkpoint
 * with the state at its version (docs/FORMAT.md 5.10). Readers trust a well-formed checkpoint;
 * this is what catches one that was edited, or written from a log that has changed since.
 */
final class CheckpointAudit {
  private CheckpointAudit() {}

  /** One line per checkpoint that differs, cannot be read or is past the last commit. */
  static List<String> run(CommitLog log, Checkpoints checkpoints) {
    TreeMap<Long, Path> commits = log.list();
    TreeMap<Long, Path> files = checkpoints.list();
    List<String> findings = new ArrayList<>();
    long head = commits.isEmpty() ? 0 : commits.lastKey();
    Replay full = new Replay();
    for (Map.Entry<Long, Path> e : files.entrySet()) {
      long v = e.getKey();
      if (v > head) {
        findings.add("checkpoint " + v + " is past the last commit " + head);
        continue;
      }
      log.replayOnto(full, commits, v);
      Checkpoint cp;
      try {
        cp = checkpoints.read(v);
      } catch (ManifestCorruptException | IllegalArgumentException ex) {
        findings.add("checkpoint " + v + " cannot be read: " + ex.getMessage());
        continue;
      }
      if (!cp.equals(full.toCheckpoint())) {
        findings.add("checkpoint " + v + " (" + e.getValue() + ") differs from the replay of commits 1.." + v);
      }
    }
    return findings;
  }
}
