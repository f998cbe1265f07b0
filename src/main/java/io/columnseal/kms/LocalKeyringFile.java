package io.columnseal.kms;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The keyring on disk. Every write goes to a temporary file in the same directory, created
 * owner-only (0600) from the start, forced to disk and renamed over the keyring in one atomic
 * step, so readers see the old keyring or the new one, never half of one.
 *
 * <p>Read-modify-write cycles run under an exclusive lock on the sibling {@code <name>.lock}
 * file (other processes) and a per-path lock in this JVM (a JVM may hold only one
 * {@link FileLock} per file, and Spark local mode runs many threads).
 */
final class LocalKeyringFile {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  // The owner's own bits are the owner's business (x is harmless, r-- is fine for a reader).
  private static final Set<PosixFilePermission> OWNER_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path path;
  private final Path lockPath;

  LocalKeyringFile(Path path) {
    this.path = path.toAbsolutePath().normalize();
    this.lockPath = this.path.resolveSibling(this.path.getFileName() + ".lock");
  }

  Path path() {
    return path;
  }

  boolean exists() {
    return Files.exists(path);
  }

  /**
   * Refuses a keyring that group or others may read or write: it holds master keys in clear, so
   * a loose mode is a leak (or a way to plant keys), not a style problem. Checked before the
   * file is read, so no material is loaded from such a file. Not a POSIX file system: no check.
   */
  private void requireOwnerOnly(String operation) {
    if (!posix()) {
      return;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(path);
    } catch (NoSuchFileException e) {
      return; // read() says there is no keyring
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, "-", "cannot read the permissions of local keyring " + path, e);
    }
    Set<PosixFilePermission> loose = new HashSet<>(perms);
    loose.removeAll(OWNER_PERMISSIONS);
    if (!loose.isEmpty()) {
      throw new InsecureKeyringException(operation, "-", "local keyring " + path + " has mode "
          + PosixFilePermissions.toString(perms) + ": group or others may read or write the master keys in it;"
          + " refusing to use it (run chmod 600 " + path + ")");
    }
  }

  /**
   * Reads and decodes the keyring.
   *
   * @throws InsecureKeyringException if group or others have any permission on the file
   */
  LocalKeyringContents read(String operation) {
    requireOwnerOnly(operation);
    byte[] json;
    try {
      json = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new KeyNotFoundException(operation, "-", "no local keyring file at " + path
          + " (create one with LocalKeyring.createOrOpen or the keys create command)");
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, "-", "cannot read local keyring " + path, e);
    }
    try {
      return LocalKeyringCodec.decode(json, path);
    } finally {
      Arrays.fill(json, (byte) 0);
    }
  }

  /** Replaces the keyring atomically; on failure the previous file is left as it was. */
  void write(LocalKeyringContents contents, String operation, String keyId) {
    byte[] json = LocalKeyringCodec.encode(contents);
    Path temp = null;
    try {
      // The name derives from the keyring's, so that two keyrings in one directory never meet.
      temp = Files.createTempFile(path.getParent(), "." + path.getFileName() + ".", ".tmp", ownerOnly());
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(json);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      moveOver(temp);
      temp = null;
      syncDirectory();
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, keyId,
          "could not write local keyring " + path + "; the previous keyring file is unchanged", e);
    } finally {
      Arrays.fill(json, (byte) 0);
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Best effort: a stray temporary file is inert and owner-only.
        }
      }
    }
  }

  /**
   * Runs {@code action} holding this keyring's lock in this JVM and across processes. The action
   * re-reads the file itself, so that no change made by another holder is lost.
   */
  <T> T locked(String operation, Supplier<T> action) {
    ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(lockPath, p -> new ReentrantLock());
    inJvm.lock();
    try (FileChannel channel = openLockFile(operation)) {
      lock(channel, operation); // released when the channel closes
      return action.get();
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, "-", "could not release the lock " + lockPath, e);
    } finally {
      inJvm.unlock();
    }
  }

  private FileChannel openLockFile(String operation) {
    try {
      Files.createDirectories(path.getParent());
      return FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly());
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, "-", "could not open the lock file " + lockPath, e);
    }
  }

  private void lock(FileChannel channel, String operation) {
    try {
      channel.lock();
    } catch (IOException e) {
      throw new KeyUnavailableException(operation, "-", "could not lock " + lockPath, e);
    }
  }

  private void moveOver(Path temp) throws IOException {
    try {
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + path + " cannot rename atomically", e);
    }
  }

  /** Makes the rename durable (POSIX: fsync the directory). Not possible everywhere. */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open a directory; the rename itself is still atomic.
    }
  }

  private FileAttribute<?>[] ownerOnly() {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  private boolean posix() {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
