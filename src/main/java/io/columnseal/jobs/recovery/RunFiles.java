package io.columnseal.jobs.recovery;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.crypto.DekId;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.FileRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one unfinished run, for {@link RunRecovery}: where each file its pending record
 * lists is (in the dataset, in a committed task's folder under its work folder, or lost),
 * moving the waiting ones into place, and removing the run's work folder and records.
 */
final class RunFiles {
  private static final Logger LOG = LoggerFactory.getLogger(RunRecovery.class);

  private final Configuration conf;
  private final String datasetPath;

  RunFiles(Configuration conf, String datasetPath) {
    this.conf = conf;
    this.datasetPath = datasetPath;
  }

  /** Where each file of the run is. */
  static final class Found {
    final List<String> files = new ArrayList<>();
    final List<String> inPlace = new ArrayList<>();
    /** Files still in a committed task's folder under the work folder: final name to where it is. */
    final Map<String, Path> inWorkDir = new TreeMap<>();
    final List<String> lost = new ArrayList<>();
    final List<DekRecord> deks = new ArrayList<>();
    /** Each file with its size and its task's DEKs, once all are in place ({@link #bind}). */
    final List<FileRecord> bound = new ArrayList<>();
    final Map<String, Long> cells = new TreeMap<>();
    long rows;
    int tasks;
    int moved;
  }

  Found find(PendingRecord rec) {
    Found found = new Found();
    try {
      FileSystem fs = new Path(datasetPath).getFileSystem(conf);
      List<Path> taskDirs = committedTaskDirs(fs, rec);
      for (PendingRecord.Task t : rec.tasks) {
        for (String f : t.files) {
          found.files.add(f);
          if (fs.exists(new Path(datasetPath, f))) {
            found.inPlace.add(f);
            continue;
          }
          Path waiting = null;
          for (Path dir : taskDirs) {
            if (fs.exists(new Path(dir, f))) {
              waiting = new Path(dir, f);
              break;
            }
          }
          if (waiting != null) {
            found.inWorkDir.put(f, waiting);
          } else {
            found.lost.add(f);
          }
        }
        found.tasks++;
        // A task's DEKs seal cells in its own files only.
        t.deks.forEach(d -> found.deks.add(d.toRecord(rec.runId)));
        t.cells.forEach((c, n) -> found.cells.merge(c, n, Long::sum));
        found.rows += t.rows;
      }
    } catch (IOException e) {
      throw new DatasetException("cannot look for the files of run " + rec.runId + " in " + datasetPath + ": " + e);
    }
    return found;
  }

  /**
   * The committed tasks' folders in the run's work folder: FileOutputCommitter (algorithm 1)
   * renames a task attempt's folder to {@code <work>/task_...} when the task commits, and its
   * job commit moves their contents into the dataset.
   */
  private List<Path> committedTaskDirs(FileSystem fs, PendingRecord rec) throws IOException {
    List<Path> out = new ArrayList<>();
    if (rec.workDir == null) {
      return out;
    }
    Path work = new Path(datasetPath, rec.workDir);
    if (!fs.exists(work)) {
      return out;
    }
    for (FileStatus st : fs.listStatus(work)) {
      if (st.isDirectory() && st.getPath().getName().startsWith("task_")) {
        out.add(st.getPath());
      }
    }
    return out;
  }

  /**
   * Binds each file of the run (all in place now) to its task's DEKs and its size, as the
   * run's own commit would have (docs/FORMAT.md 5.2).
   */
  void bind(PendingRecord rec, Found found) {
    try {
      FileSystem fs = new Path(datasetPath).getFileSystem(conf);
      for (PendingRecord.Task t : rec.tasks) {
        List<DekId> deks = new ArrayList<>();
        t.deks.forEach(d -> deks.add(DekId.parse(d.id)));
        for (String f : t.files) {
          found.bound.add(FileRecord.of(f, fs.getFileStatus(new Path(datasetPath, f)).getLen(), deks));
        }
      }
    } catch (IOException e) {
      throw new DatasetException("cannot read the sizes of the files of run " + rec.runId + " in " + datasetPath
          + ": " + e);
    }
  }

  /** Finishes the job commit the run did not: each waiting file to its place in the dataset. */
  int moveIntoPlace(PendingRecord rec, Map<String, Path> waiting) {
    int moved = 0;
    for (Map.Entry<String, Path> e : waiting.entrySet()) {
      Path target = new Path(datasetPath, e.getKey());
      try {
        FileSystem fs = target.getFileSystem(conf);
        fs.mkdirs(target.getParent());
        if (!fs.rename(e.getValue(), target)) {
          throw new IOException("rename returned false");
        }
        moved++;
      } catch (IOException ex) {
        throw new DatasetException("cannot recover run " + rec.runId + ": moving its file " + e.getKey() + " from "
            + rec.workDir + " into " + datasetPath + " failed (" + ex.getMessage() + "); nothing was committed and "
            + "its record is kept: run recover again");
      }
    }
    return moved;
  }

  /**
   * Deletes the run's work folder, then its write claim, then its pending record (last: while
   * it exists, recovery runs again). Returns the files that were in the work folder.
   */
  long cleanUp(PendingRecord rec, Path record, Path claim) {
    long files = 0;
    if (rec.workDir != null) {
      Path work = new Path(datasetPath, rec.workDir);
      try {
        FileSystem fs = work.getFileSystem(conf);
        files = DatasetFiles.countFiles(fs, work);
        fs.delete(work, true);
      } catch (IOException e) {
        throw new DatasetException("cannot delete the work folder " + rec.workDir + " of run " + rec.runId + " in "
            + datasetPath + " (" + e.getMessage() + "); its record is kept: run recover again");
      }
      try {
        Path root = work.getParent();
        root.getFileSystem(conf).delete(root, false);
      } catch (IOException e) {
        // Not empty: another run is writing into its own folder there, and deletes it when it is the last.
      }
    }
    if (claim != null) {
      delete(claim);
    }
    if (record != null) {
      delete(record);
    }
    return files;
  }

  void delete(Path record) {
    try {
      record.getFileSystem(conf).delete(record, false);
    } catch (IOException e) {
      LOG.warn("could not delete the pending record {} ({}); the next run deletes it", record, e.toString());
    }
  }
}
