package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A data file as a format-3 commit binds it (docs/FORMAT.md 5.2): its path, its size in bytes
 * when committed, and the DEKs its cells may name. Readers refuse a cell of the file that names
 * any other DEK, so a cell moved in from another file does not open.
 */
public final class FileRecord {
  private final String path;
  private final long size;
  private final List<DekId> deks;

  private FileRecord(String path, long size, List<DekId> deks) {
    this.path = Checks.relativePath(path);
    this.size = Checks.nonNegative(size, "size of file " + path);
    TreeSet<DekId> sorted = new TreeSet<>();
    for (DekId d : Checks.list(deks, "DEK of file " + path)) {
      if (!sorted.add(d)) {
        throw new IllegalArgumentException("file " + path + " lists DEK " + d + " twice");
      }
    }
    this.deks = List.copyOf(sorted);
  }

  public static FileRecord of(String path, long size, java.util.Collection<DekId> deks) {
    return new FileRecord(path, size, List.copyOf(deks));
  }

  /** Relative to the dataset root, as in {@code files}. */
  public String path() {
    return path;
  }

  /** The file's length in bytes when its run committed it. */
  public long size() {
    return size;
  }

  /** The DEKs the file's cells may name; sorted by id. */
  public List<DekId> deks() {
    return deks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileRecord && ((FileRecord) o).path.equals(path) && ((FileRecord) o).size == size
        && ((FileRecord) o).deks.equals(deks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, size, deks);
  }

  @Override
  public String toString() {
    return "FileRecord[" + path + ", " + size + " bytes, DEKs " + deks + "]";
  }
}
