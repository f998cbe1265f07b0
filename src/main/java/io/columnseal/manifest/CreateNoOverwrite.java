package io.columnseal.manifest;

import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Best-effort create-if-absent for file systems without an atomic primitive here (abfs, gs,
 * ...): {@code create(target, overwrite=false)} and a read-back. Not atomic: see {@link AtomicCreate} for what can go wrong with concurrent writers.
 */
final class CreateNoOverwrite implements AtomicCreate {

  @Override
  public boolean createIfAbsent(FileSystem fs, Path target, byte[] content) throws IOException {
    if (fs.exists(target)) {
      return false;
    }
    try (FSDataOutputStream out = fs.create(target, false)) {
      out.write(content);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    // A writer that raced us and uploaded last has replaced our bytes: then we lost.
    return Arrays.equals(readAll(fs, target), content);
  }

  private static byte[] readAll(FileSystem fs, Path target) throws IOException {
    try (FSDataInputStream in = fs.open(target)) {
      return in.readAllBytes();
    }
  }
}
