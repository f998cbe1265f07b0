package io.columnseal.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system ({@code fs.file.impl} in a child driver JVM of DriverKillTest) that
 * stops for good at one step of Hadoop's FileOutputCommitter (algorithm 1), after letting a
 * number of such steps through, and then writes a marker file so that the test can SIGKILL the
 * driver exactly there. The steps:
 * <ul>
 *   <li>{@code task-commit}: a task attempt's folder renamed to {@code _temporary/<n>/task_...};
 *   <li>{@code job-commit}: a committed task's file or folder moved into the dataset;
 *   <li>{@code job-committed}: the {@code _SUCCESS} marker, after the last move and the cleanup.
 * </ul>
 * Nothing in production code knows about it; it only holds the disk still at the chosen moment.
 */
public final class StallingFs extends LocalFileSystem {
  public static final String POINT_KEY = "columnseal.test.stall.point";
  public static final String AFTER_KEY = "columnseal.test.stall.after";
  public static final String MARKER_KEY = "columnseal.test.stall.marker";
  private static final AtomicInteger SEEN = new AtomicInteger();

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    String s = src.toString();
    boolean taskCommit = src.getName().startsWith("attempt_") && dst.getName().startsWith("task_");
    boolean jobCommitMove = s.contains("/_temporary/") && s.contains("/task_") && !dst.toString().contains("/_temporary/");
    if ((taskCommit && at("task-commit")) || (jobCommitMove && at("job-commit"))) {
      stallAfterAllowed();
    }
    return super.rename(src, dst);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    if (f.getName().equals("_SUCCESS") && at("job-committed")) {
      stallAfterAllowed();
    }
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  private boolean at(String point) {
    return point.equals(getConf().get(POINT_KEY));
  }

  private void stallAfterAllowed() {
    if (SEEN.incrementAndGet() <= getConf().getInt(AFTER_KEY, 0)) {
      return;
    }
    try {
      Files.writeString(Paths.get(getConf().get(MARKER_KEY)), "stalled\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // Spark may interrupt the task thread; only the kill ends this.
      }
    }
  }
}
