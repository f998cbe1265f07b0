package io.columnseal.jobs.dataset;

import io.columnseal.manifest.FileRecord;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The live files of a snapshot with the DEKs each may hold, as the manifest binds them
 * (docs/FORMAT.md 5.2, 8): shipped to the executors with a reader's plan. Keyed by the path
 * part of the file's URI, so the driver's relative paths and Spark's {@code _metadata.file_path}
 * meet. Ids and paths only.
 */
public final class FileBindings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One live file: its DEK ids sorted (null: written before format 3, any DEK of the dataset). */
  static final class Entry implements Serializable {
    private static final long serialVersionUID = 1L;
    final String path;
    final long[] deks;
    /** Counters rise with row order in this file (no sort ran between the sealer and the writer). */
    final boolean ordered;

    Entry(String path, long[] deks, boolean ordered) {
      this.path = path;
      this.deks = deks;
      this.ordered = ordered;
    }

    boolean allows(long dekId) {
      return deks == null || Arrays.binarySearch(deks, dekId) >= 0;
    }
  }

  private final Map<String, Entry> files;

  private FileBindings(Map<String, Entry> files) {
    this.files = files;
  }

  /**
   * The dataset root is qualified first: a relative dataset path (work/cards_enc) must meet
   * the absolute paths Spark reports for the files it reads.
   */
  public static FileBindings of(DatasetSnapshot snap, Configuration conf) {
    Path root;
    try {
      Path p = new Path(snap.path);
      root = p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve dataset path " + snap.path, e);
    }
    Map<String, Entry> files = new HashMap<>();
    for (String f : snap.state.liveFiles()) {
      Optional<FileRecord> rec = snap.state.boundFile(f);
      long[] deks = rec.map(r -> r.deks().stream().mapToLong(d -> d.asLong()).sorted().toArray()).orElse(null);
      // partitionBy makes Spark sort a task's rows by folder after sealing, which may reorder
      // equal keys when the sort spills: only files at the root keep the sealing order.
      files.put(key(new Path(root, f)), new Entry(f, deks, rec.isPresent() && !f.contains("/")));
    }
    return new FileBindings(files);
  }

  /** The file's entry, or null when it is not a live file of the snapshot. */
  Entry entry(Path file) {
    return files.get(key(file));
  }

  /** Live files added by commits older than format 3: their cells may name any DEK of the dataset. */
  public long unbound() {
    return files.values().stream().filter(e -> e.deks == null).count();
  }

  static String key(Path p) {
    return p.toUri().getPath();
  }
}
