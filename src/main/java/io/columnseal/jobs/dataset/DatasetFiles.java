package io.columnseal.jobs.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Paths of a dataset: where its manifest, pending records and run summaries live; its data files. */
public final class DatasetFiles {
  public static final String MANIFEST_DIR = "_columnseal";
  /** Hadoop's work folder in a dataset: runs' uncommitted and not yet job-committed files. */
  public static final String WORK_ROOT = "_temporary";

  private DatasetFiles() {}

  public static Path manifestDir(String datasetPath, String manifestOverride) {
    return manifestOverride != null ? new Path(manifestOverride) : new Path(datasetPath, MANIFEST_DIR);
  }

  public static Path pendingFile(Path manifestDir, String runId) {
    return new Path(pendingDir(manifestDir), runId + ".json");
  }

  static Path pendingDir(Path manifestDir) {
    return new Path(manifestDir, "_pending");
  }

  /** The write claim of a run: its pending record's header, written before its Spark write. */
  public static Path writeClaimFile(Path manifestDir, String runId) {
    return new Path(new Path(manifestDir, "_writing"), runId + ".json");
  }

  /**
   * The pending records under {@code <manifest>/_pending/}, by run id in run-id (start time)
   * order; hidden files (a record being written) are not records.
   */
  public static SortedMap<String, Path> pendingRecords(Configuration conf, Path manifestDir) {
    return records(conf, pendingDir(manifestDir));
  }

  /** The write claims under {@code <manifest>/_writing/}, by run id, as {@link #pendingRecords}. */
  public static SortedMap<String, Path> writeClaims(Configuration conf, Path manifestDir) {
    return records(conf, writeClaimFile(manifestDir, "x").getParent());
  }

  private static SortedMap<String, Path> records(Configuration conf, Path dir) {
    SortedMap<String, Path> runs = new TreeMap<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (fs.exists(dir)) {
        for (FileStatus st : fs.listStatus(dir)) {
          String n = st.getPath().getName();
          if (st.isFile() && n.endsWith(".json") && !n.startsWith(".")) {
            runs.put(n.substring(0, n.length() - ".json".length()), st.getPath());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return runs;
  }

  /** Deletes data files (relative to {@code root}); returns the ones that could not be deleted, with why. */
  public static List<String> deleteFiles(Configuration conf, String root, Collection<String> files) {
    List<String> failed = new ArrayList<>();
    for (String f : files) {
      try {
        Path p = new Path(root, f);
        p.getFileSystem(conf).delete(p, false);
      } catch (IOException e) {
        failed.add(f + " (" + e + ")");
      }
    }
    return failed;
  }

  public static Path runSummaryFile(Path manifestDir, String runId) {
    return new Path(new Path(manifestDir, "runs"), runId + ".json");
  }

  /**
   * Data files under {@code root}, relative to it, skipping names that start with '_' or '.'
   * (Spark's hidden files, our manifest, committer temp dirs), as Spark's readers do.
   */
  public static List<String> dataFiles(Configuration conf, Path root) {
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<String> out = new ArrayList<>();
      if (fs.exists(root)) {
        walk(fs, fs.getFileStatus(root).getPath(), "", out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  /** The files anywhere under {@code dir} (hidden checksum files aside); 0 when it does not exist. */
  public static long countFiles(FileSystem fs, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      return 0;
    }
    long n = 0;
    for (FileStatus st : fs.listStatus(dir)) {
      if (st.isDirectory()) {
        n += countFiles(fs, st.getPath());
      } else if (!st.getPath().getName().startsWith(".")) {
        n++;
      }
    }
    return n;
  }

  /** True when {@code root} exists and holds anything at all. */
  public static boolean existsNonEmpty(Configuration conf, Path root) {
    try {
      FileSystem fs = root.getFileSystem(conf);
      return fs.exists(root) && (fs.getFileStatus(root).isFile() || fs.listStatus(root).length > 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  private static void walk(FileSystem fs, Path dir, String prefix, List<String> out) throws IOException {
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      if (st.isDirectory()) {
        walk(fs, st.getPath(), prefix + name + "/", out);
      } else {
        out.add(prefix + name);
      }
    }
  }
}
