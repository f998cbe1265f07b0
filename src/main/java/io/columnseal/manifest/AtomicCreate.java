package io.columnseal.manifest;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Creates a commit file if, and only if, no file exists at its path: the one primitive the
 * manifest log needs for concurrent writers (two runs that both want commit N: one wins, the
 * other learns it lost and nothing of it is left at the path). One implementation per mechanism;
 * {@link #forScheme} picks by file system scheme. What each guarantees:
 *
 * <ul>
 *   <li>{@code file} ({@link HardLinkCreate}): the content is written and fsynced to a hidden
 *       temp file, then hard-linked to the target. {@code link(2)} fails atomically if the target
 *       exists, so concurrent writers on one host, or on a POSIX shared file system that
 *       implements link atomically, cannot clobber each other; readers never see a partial file.
 *   <li>{@code hdfs} ({@link RenameCreate}): temp file, hsync, then a rename without overwrite,
 *       which the NameNode performs atomically and refuses if the target exists. Same guarantee.
 *   <li>{@code s3a}, {@code s3} ({@link S3ConditionalCreate}): one PUT with
 *       {@code If-None-Match: *}, which S3 performs atomically and refuses (412) if the key
 *       exists. Same guarantee, against S3 itself; an S3-compatible store must implement
 *       conditional writes atomically too.
 *   <li>anything else ({@link CreateNoOverwrite}): best effort.
 *       {@code create(path, overwrite=false)} checks for the target and then writes it; two
 *       writers can both pass the check, and on an object store the last upload wins. A
 *       read-back narrows the window but does not close it, and a crash mid-write can leave a
 *       truncated commit (the reader reports it as corrupt). Use one writer at a time per
 *       dataset there.
 * </ul>
 */
public interface AtomicCreate {

  /**
   * Writes {@code content} to {@code target} unless a file exists there.
   *
   * @return true if this call created the file; false if the target existed (then nothing of
   *     this call is left behind)
   * @throws IOException if the file system failed; the target may then exist or not
   */
  boolean createIfAbsent(FileSystem fs, Path target, byte[] content) throws IOException;

  /** The mechanism for a file system scheme ({@code file}, {@code hdfs}, {@code s3a}, ...). */
  static AtomicCreate forScheme(String scheme) {
    switch (scheme == null ? "" : scheme.toLowerCase(Locale.ROOT)) {
      case "file":
        return new HardLinkCreate();
      case "hdfs":
        return new RenameCreate();
      case "s3a":
      case "s3":
        return new S3ConditionalCreate();
      default:
        return new CreateNoOverwrite();
    }
  }
}
