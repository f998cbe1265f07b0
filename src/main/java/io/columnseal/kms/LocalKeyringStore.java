package io.columnseal.kms;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The keyring file and this process's snapshot of it. KMS calls read the snapshot under a read
 * lock, so many tasks may call at once; admin calls change the file under its file lock and
 * swap in the result. Closing zeroes the snapshot's master keys.
 */
final class LocalKeyringStore {
  private final LocalKeyringFile file;
  private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
  private LocalKeyringContents snapshot; // guarded by guard
  private boolean closed; // guarded by guard

  LocalKeyringStore(LocalKeyringFile file, LocalKeyringContents snapshot) {
    this.file = file;
    this.snapshot = snapshot;
  }

  Path path() {
    return file.path();
  }

  <T> T read(Function<LocalKeyringContents, T> operation) {
    guard.readLock().lock();
    try {
      checkOpen();
      return operation.apply(snapshot);
    } finally {
      guard.readLock().unlock();
    }
  }

  /**
   * Re-reads the file under the lock, applies {@code change}, writes the result if it differs,
   * and makes it this object's snapshot. On any failure the file and the snapshot stay as they
   * were and the material read for the attempt is zeroed.
   */
  <T> T update(String operation, String keyRef, Function<LocalKeyringContents, Change<T>> change) {
    checkOpenNow();
    return file.locked(operation, () -> {
      LocalKeyringContents current = file.read(operation);
      Change<T> result = null;
      try {
        result = change.apply(current);
        if (result.contents() != current) {
          file.write(result.contents(), operation, keyRef);
        }
        install(result.contents());
        return result.value();
      } catch (RuntimeException e) {
        current.destroy();
        if (result != null) {
          result.contents().destroy();
        }
        throw e;
      }
    });
  }

  /** Zeroes the master keys held in memory; later calls fail. */
  void close() {
    guard.writeLock().lock();
    try {
      if (!closed) {
        snapshot.destroy();
        closed = true;
      }
    } finally {
      guard.writeLock().unlock();
    }
  }

  /** Swaps in a fresh snapshot; readers hold the read lock, so none is using the old one. */
  private void install(LocalKeyringContents fresh) {
    guard.writeLock().lock();
    try {
      checkOpen();
      snapshot.destroy();
      snapshot = fresh;
    } finally {
      guard.writeLock().unlock();
    }
  }

  private void checkOpenNow() {
    guard.readLock().lock();
    try {
      checkOpen();
    } finally {
      guard.readLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("local keyring " + file.path() + " is closed");
    }
  }

  /** The keyring after an admin call, and what the call returns. */
  record Change<T>(LocalKeyringContents contents, T value) {}
}
