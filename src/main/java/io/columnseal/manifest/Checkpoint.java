package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The replayed state at one version, as a checkpoint file holds it (docs/FORMAT.md 5.10): enough
 * to go on replaying from version + 1 without reading an earlier commit.
 */
final class Checkpoint {
  final String datasetId;
  final long version;
  /** The digest of commit {@code version}: commit version + 1 names it as its parent. */
  final String digest;
  final List<ColumnRecord> schema;
  final String cellEncoding;
  final SortedMap<DekId, DekRecord> deks;
  final Map<DekId, Long> addedIn;
  final SortedSet<String> liveFiles;
  /** Sorted by path. */
  final List<FileRecord> boundFiles;
  final List<InputCommit> inputCommits;

  Checkpoint(String datasetId, long version, String digest, List<ColumnRecord> schema, String cellEncoding,
      SortedMap<DekId, DekRecord> deks, Map<DekId, Long> addedIn, SortedSet<String> liveFiles,
      List<FileRecord> boundFiles, List<InputCommit> inputCommits) {
    this.datasetId = datasetId;
    this.version = version;
    this.digest = digest;
    this.schema = List.copyOf(schema);
    this.cellEncoding = cellEncoding;
    this.deks = deks;
    this.addedIn = addedIn;
    this.liveFiles = new TreeSet<>(liveFiles);
    List<FileRecord> sorted = new ArrayList<>(boundFiles);
    sorted.sort(Comparator.comparing(FileRecord::path));
    this.boundFiles = List.copyOf(sorted);
    this.inputCommits = List.copyOf(inputCommits);
  }

  /** Same state: what the audit compares with a full replay. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Checkpoint)) {
      return false;
    }
    Checkpoint c = (Checkpoint) o;
    return c.datasetId.equals(datasetId) && c.version == version && c.digest.equals(digest)
        && c.schema.equals(schema) && Objects.equals(c.cellEncoding, cellEncoding) && c.deks.equals(deks)
        && c.addedIn.equals(addedIn) && c.liveFiles.equals(liveFiles) && c.boundFiles.equals(boundFiles)
        && c.inputCommits.equals(inputCommits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(datasetId, version, digest);
  }
}
