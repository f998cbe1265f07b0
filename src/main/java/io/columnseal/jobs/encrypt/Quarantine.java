package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.recovery.TaskLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The quarantine of an encrypt run ({@code input.malformed=quarantine}, docs/FORMAT.md
 * section 9): malformed CSV rows, sealed, in {@code <manifest dir>/quarantine/<run>/}. Each
 * task attempt writes its own file; the driver keeps the files of the attempts Spark
 * committed, whose DEKs the manifest records, and deletes the rest.
 */
final class Quarantine {
  private Quarantine() {}

  /**
   * Keeps the files of the committed attempts and deletes every other file in {@code dir}
   * (attempts that failed, were retried or lost a speculative race). Returns the kept files.
   */
  static List<String> keepCommitted(Configuration conf, Path dir, List<TaskLedger> committed) {
    Set<String> keep = new HashSet<>();
    for (TaskLedger t : committed) {
      keep.addAll(t.quarantineFiles);
    }
    List<String> kept = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return kept;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (keep.contains(name)) {
          kept.add(name);
        } else if (!name.startsWith(".")) {
          fs.delete(st.getPath(), false);
        }
      }
      if (kept.isEmpty()) {
        fs.delete(dir, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tidy quarantine folder " + dir, e);
    }
    kept.sort(null);
    return kept;
  }

  /** A failed run's quarantine: its DEKs reach no manifest, so its files could never be read. */
  static void discard(Configuration conf, Path dir) {
    try {
      dir.getFileSystem(conf).delete(dir, true);
    } catch (IOException e) {
      // Best effort on a path that is already failing; verify does not read quarantine folders.
    }
  }

  static long rows(List<TaskLedger> committed) {
    long n = 0;
    for (TaskLedger t : committed) {
      n += t.quarantined;
    }
    return n;
  }
}
