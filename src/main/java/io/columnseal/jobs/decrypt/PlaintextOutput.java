package io.columnseal.jobs.decrypt;

import io.columnseal.ColumnsealException;
import io.columnseal.Failures;
import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.JobFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The folder decrypt writes plaintext into. On local disk and HDFS it is owner-only: the
 * folder is made 0700 before any task writes (so nothing in it is reachable by others while the
 * job runs), the write runs with umask 077, and once Spark has committed, every folder in it
 * is set to 0700 and every file to 0600. S3 and other object stores have no POSIX modes: a
 * bucket policy and SSE protect them (docs/jobs/decrypt.md). A failed write removes the folder
 * if this run created it, or what the run left in it if it existed before.
 */
final class PlaintextOutput {
  static final FsPermission DIR_MODE = new FsPermission((short) 0700);
  static final FsPermission FILE_MODE = new FsPermission((short) 0600);
  private static final Set<String> POSIX_SCHEMES = Set.of("file", "hdfs", "viewfs");
  /** How long a failed job's last tasks get to stop before the cleanup (they may still be writing). */
  private static final long TASK_STOP_WAIT_MILLIS = 30_000;

  private final String output;
  private final Path root;
  private final FileSystem fs;
  private final boolean existed;
  private final boolean overwrite;

  private PlaintextOutput(String output, Path root, FileSystem fs, boolean existed, boolean overwrite) {
    this.output = output;
    this.root = root;
    this.fs = fs;
    this.existed = existed;
    this.overwrite = overwrite;
  }

  /**
   * Checks, without creating anything, that {@code output} may be written: it does not exist,
   * is an empty folder, or {@code overwrite} was asked for a folder.
   *
   * @throws ConfigException otherwise
   */
  static PlaintextOutput at(Configuration conf, String output, boolean overwrite) {
    try {
      Path p = new Path(output);
      FileSystem fs = p.getFileSystem(conf);
      Path root = fs.makeQualified(p);
      boolean existed = fs.exists(root);
      if (existed && fs.getFileStatus(root).isFile()) {
        throw new ConfigException("output " + output + " is a file; decrypt writes a folder");
      }
      if (existed && !overwrite && fs.listStatus(root).length > 0) {
        throw new ConfigException("output " + output + " already exists; choose a new path or pass --mode overwrite");
      }
      return new PlaintextOutput(output, root, fs, existed, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check output " + output, e);
    }
  }

  /**
   * Makes the folder (owner-only) or, with overwrite, empties the existing one, then runs
   * {@code write} (Spark's writer set to append into it) under a job group of its own, and
   * restricts what it wrote. Any failure removes what this run wrote and says so.
   */
  void write(SparkSession spark, String description, Dataset<Row> data, Consumer<DataFrameWriter<Row>> format) {
    String group = "columnseal-decrypt-" + java.util.UUID.randomUUID();
    try {
      prepare();
      spark.sparkContext().setJobGroup(group, description, true);
      // Append: the folder is ours and empty now; Spark's overwrite would delete and remake it without our mode.
      format.accept(data.write().mode(SaveMode.Append).option("fs.permissions.umask-mode", "077"));
      restrict();
    } catch (Exception e) {
      String outcome = removeAfterFailure(spark, group);
      ColumnsealException ours = Failures.ours(e);
      if (ours != null) {
        ours.withOutcome(outcome);
        throw JobFailures.unwrap(e);
      }
      throw new PlaintextOutputException("writing the plaintext to " + output + " failed: " + Failures.describe(e) + "; "
          + outcome, e);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private void prepare() throws IOException {
    if (existed && overwrite) {
      for (FileStatus st : fs.listStatus(root)) {
        fs.delete(st.getPath(), true);
      }
    } else if (!existed) {
      fs.mkdirs(root, DIR_MODE);
      if (posix()) {
        fs.setPermission(root, DIR_MODE); // mkdirs applies the umask of the file system's own conf
      }
    }
  }

  /** Every folder under the output 0700, every file 0600 (the output folder itself only if this run made it). */
  private void restrict() throws IOException {
    if (!posix()) {
      return;
    }
    // The raw file system: the checksummed local one hides its .crc files from listings.
    FileSystem raw = fs instanceof LocalFileSystem ? ((FilterFileSystem) fs).getRawFileSystem() : fs;
    if (!existed) {
      raw.setPermission(root, DIR_MODE);
    }
    restrictBelow(raw, root);
  }

  private static void restrictBelow(FileSystem raw, Path dir) throws IOException {
    for (FileStatus st : raw.listStatus(dir)) {
      if (st.isDirectory()) {
        raw.setPermission(st.getPath(), DIR_MODE);
        restrictBelow(raw, st.getPath());
      } else {
        raw.setPermission(st.getPath(), FILE_MODE);
      }
    }
  }

  private boolean posix() {
    return POSIX_SCHEMES.contains(root.toUri().getScheme());
  }

  /**
   * Waits for the failed job's tasks to stop (a task still running could write after the
   * delete), then removes the folder if this run created it, else what is in it (with
   * overwrite, the old contents were already gone; otherwise it was empty).
   */
  private String removeAfterFailure(SparkSession spark, String group) {
    waitForTasks(spark, group);
    try {
      if (!existed) {
        fs.delete(root, true);
        if (fs.exists(root)) {
          return "could not remove output " + output + " (it may hold plaintext): delete it";
        }
        return "removed output " + output + ", which this run created";
      }
      for (FileStatus st : fs.listStatus(root)) {
        fs.delete(st.getPath(), true);
      }
      return "removed what this run wrote in output " + output + " (the folder existed before and is kept)";
    } catch (IOException | RuntimeException e) {
      return "could not remove output " + output + " (it may hold plaintext): " + Failures.describe(e) + "; delete it";
    }
  }

  private static void waitForTasks(SparkSession spark, String group) {
    spark.sparkContext().cancelJobGroup(group);
    SparkStatusTracker tracker = spark.sparkContext().statusTracker();
    long deadline = System.currentTimeMillis() + TASK_STOP_WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline && activeTasks(tracker, group) > 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static int activeTasks(SparkStatusTracker tracker, String group) {
    int active = 0;
    for (int job : tracker.getJobIdsForGroup(group)) {
      scala.Option<org.apache.spark.SparkJobInfo> info = tracker.getJobInfo(job);
      if (info.isEmpty()) {
        continue;
      }
      for (int stage : info.get().stageIds()) {
        scala.Option<SparkStageInfo> s = tracker.getStageInfo(stage);
        if (s.isDefined()) {
          active += s.get().numActiveTasks();
        }
      }
    }
    return active;
  }



  /** A plaintext write that failed for a reason outside columnseal (I/O, Spark). */
  static final class PlaintextOutputException extends ColumnsealException {
    private static final long serialVersionUID = 1L;

    PlaintextOutputException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
