package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.DatasetException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Proves, before the first KMS call, that the job may write where its manifest goes: it
 * creates and deletes one small file there. An S3 bucket policy that denies the write, a
 * read-only mount or a path under a file fails here, with no DEK asked for and nothing left
 * behind (folders it had to create are removed again while still empty).
 */
final class OutputProbe {
  private OutputProbe() {}

  static void check(Configuration conf, String outputPath, Path manifestDir, String runId) {
    Path probe = new Path(manifestDir, "_probe-" + runId);
    try {
      FileSystem fs = manifestDir.getFileSystem(conf);
      Path output = new Path(outputPath);
      // manifest.path may be on another file system than the output: each is asked on its own.
      FileSystem outFs = output.getFileSystem(conf);
      boolean outputExisted = outFs.exists(output);
      boolean manifestExisted = fs.exists(manifestDir);
      writeAndDelete(fs, probe);
      // Only if still empty: a run racing this one may already be writing in these folders.
      if (!manifestExisted) {
        deleteIfEmpty(fs, manifestDir);
      }
      if (!outputExisted) {
        deleteIfEmpty(outFs, output);
      }
    } catch (IOException | RuntimeException e) {
      throw new DatasetException("cannot write to output.path " + outputPath + " (tried " + manifestDir
          + "): " + e.getClass().getSimpleName() + firstLine(e.getMessage())
          + "; check the path and the write permission (no KMS call was made)");
    }
  }

  /**
   * Creates and deletes the probe. A racing run's probe may remove the folder between our
   * mkdirs and our create (it found the folder absent and cleans up what it made): one retry.
   */
  private static void writeAndDelete(FileSystem fs, Path probe) throws IOException {
    try {
      fs.create(probe, false).close();
    } catch (FileNotFoundException e) {
      fs.create(probe, false).close();
    }
    fs.delete(probe, false);
  }

  private static void deleteIfEmpty(FileSystem fs, Path dir) {
    try {
      if (fs.exists(dir) && fs.listStatus(dir).length == 0) {
        fs.delete(dir, false);
      }
    } catch (IOException e) {
      // Not empty any more (another run wrote in it) or already gone: nothing of ours is left.
    }
  }

  private static String firstLine(String m) {
    return m == null ? "" : ": " + m.split("\n")[0];
  }
}
