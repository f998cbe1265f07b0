package io.columnseal.jobs.encrypt;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.parquet.hadoop.ParquetOutputCommitter;

/**
 * Parquet's default output committer, made safe for several encrypt runs writing into one
 * dataset folder at once. Hadoop's FileOutputCommitter keeps every job's work under
 * {@code <output>/_temporary/<application attempt>/} and, when a job commits or aborts, deletes
 * all of {@code _temporary}: with two runs appending at once, the first to finish deleted the
 * other's committed task files, and the other then committed a manifest naming files that were
 * never moved into the dataset. Each encrypt run gets its own application attempt number
 * ({@link #ATTEMPT_KEY}, set by the job), so its work lives in a folder of its own, and this
 * committer deletes only that folder.
 *
 * <p>The encrypt job uses it only where the session would use ParquetOutputCommitter; a
 * cluster's own committer (EMR's S3-optimized one, the S3A committers) is left in place.
 */
public final class RunScopedCommitter extends ParquetOutputCommitter {
  /** Hadoop's key for the application attempt, the last part of a job's work folder. */
  static final String ATTEMPT_KEY = "mapreduce.job.application.attempt.id";
  static final String DEFAULT_COMMITTER = ParquetOutputCommitter.class.getName();
  /** FileOutputCommitter's algorithm; the encrypt job sets 1 (docs/RELIABILITY.md). */
  static final String ALGORITHM_KEY = "mapreduce.fileoutputcommitter.algorithm.version";

  public RunScopedCommitter(Path outputPath, TaskAttemptContext context) throws IOException {
    super(outputPath, context);
  }

  /** Deletes this job's work folder, and {@code _temporary} only if no other run is using it. */
  @Override
  public void cleanupJob(JobContext context) throws IOException {
    if (getOutputPath() == null) {
      return;
    }
    Path mine = getJobAttemptPath(context);
    FileSystem fs = mine.getFileSystem(context.getConfiguration());
    fs.delete(mine, true);
    try {
      fs.delete(mine.getParent(), false);
    } catch (IOException e) {
      // Not empty: another run is writing. It deletes it when it is the last.
    }
  }

  /** A run's own application attempt number: positive, from the random part of its id. */
  public static int attemptOf(String runId) {
    int n = Integer.parseUnsignedInt(runId.substring(runId.length() - 8), 16) & 0x7fffffff;
    return n == 0 ? 1 : n;
  }
}
