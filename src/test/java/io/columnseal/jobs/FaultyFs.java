package io.columnseal.jobs;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk under the scheme {@code faulty://}, whose storage can be told to refuse the
 * manifest's commit files or the deletion of pending records, or to lose a data file it moved:
 * what a driver that stops between its data commit and its manifest commit (or just after it)
 * leaves behind, or a committer that loses a file, made in-process and deterministic. The same folder read as {@code file://} is the dataset as it is on disk.
 */
public final class FaultyFs extends RawLocalFileSystem {
  public static final String SCHEME = "faulty";
  private static volatile boolean refuseCommits;
  private static volatile boolean refusePendingDeletes;
  private static volatile boolean loseOneDataFile;

  /** Makes {@code faulty://} known to the shared session's Hadoop configuration. */
  public static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FaultyFs.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }

  /** {@code faulty://} form of a local absolute path. */
  public static String url(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  public static void refuseManifestCommits(boolean on) {
    refuseCommits = on;
  }

  public static void refusePendingRecordDeletes(boolean on) {
    refusePendingDeletes = on;
  }

  /** The next data file moved into a dataset folder vanishes right after its rename succeeded. */
  public static void loseTheNextMovedDataFile(boolean on) {
    loseOneDataFile = on;
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    boolean moved = super.rename(src, dst);
    if (moved && loseOneDataFile && dst.getName().startsWith("part-") && !dst.toString().contains("/_temporary/")) {
      loseOneDataFile = false;
      super.delete(dst, false);
    }
    return moved;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    refuseCommit(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    refuseCommit(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    if (refusePendingDeletes && p.getParent() != null && p.getParent().getName().equals("_pending")) {
      throw new IOException("storage refused to delete " + p + " (injected fault)");
    }
    return super.delete(p, recursive);
  }

  private static void refuseCommit(Path f) throws IOException {
    if (refuseCommits && f.getParent() != null && f.getParent().getName().equals("log")
        && f.getName().matches("[0-9]{20}\\.json")) {
      throw new IOException("storage refused to create " + f + " (injected fault)");
    }
  }
}
