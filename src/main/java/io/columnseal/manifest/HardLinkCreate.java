package io.columnseal.manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Create-if-absent on a local ({@code file:}) file system: write and fsync a temp file, then
 * hard-link it to the target. {@code link(2)} refuses an existing target atomically, and the
 * target appears with its full content at once.
 */
final class HardLinkCreate implements AtomicCreate {

  @Override
  public boolean createIfAbsent(FileSystem fs, Path target, byte[] content) throws IOException {
    java.nio.file.Path file = Paths.get(fs.makeQualified(target).toUri());
    java.nio.file.Path dir = file.getParent();
    Files.createDirectories(dir);
    java.nio.file.Path temp = dir.resolve(CommitLog.tempName(target));
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.createLink(file, temp);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(dir);
    return true;
  }

  /** Makes the new directory entry durable; not every platform can open a directory, which is fine. */
  private static void syncDirectory(java.nio.file.Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Best effort: the commit is visible already; only durability across a power cut is at stake.
    }
  }
}
