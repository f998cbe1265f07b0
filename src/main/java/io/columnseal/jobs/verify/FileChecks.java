package io.columnseal.jobs.verify;

import io.columnseal.manifest.FileRecord;
import java.util.Optional;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.CommitKind;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * verify's checks of the files themselves, on the driver: every live file exists, no file or
 * work folder is left that no commit names, and each footer has the encrypted columns as BINARY
 * and the row count the manifest expects.
 */
final class FileChecks {
  private FileChecks() {}

  /** Live files all present; files on disk that no commit names are reported. */
  static boolean checkFiles(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    Set<String> onDisk = new HashSet<>(DatasetFiles.dataFiles(conf, new Path(snap.path)));
    boolean ok = true;
    for (String f : snap.state.liveFiles()) {
      if (!onDisk.contains(f)) {
        r.find("missing-file", "file " + f + " is in the manifest but not in the dataset folder");
        ok = false;
      }
    }
    checkSizes(conf, snap, onDisk, r);
    for (String f : new TreeSet<>(onDisk)) {
      if (!snap.state.liveFiles().contains(f)) {
        r.find("unrecorded-file", "file " + f + " is in the dataset folder but in no manifest commit"
            + " (an unfinished run, a retired file not yet deleted, or a file copied in)");
      }
    }
    return ok;
  }

  /** A bound file whose length is not the one its commit recorded was rewritten after it. */
  private static void checkSizes(Configuration conf, DatasetSnapshot snap, Set<String> onDisk, VerifyReport r) {
    for (String f : snap.state.liveFiles()) {
      Optional<FileRecord> rec = snap.state.boundFile(f);
      if (rec.isEmpty() || !onDisk.contains(f)) {
        continue;
      }
      Path p = new Path(snap.path, f);
      try {
        long size = p.getFileSystem(conf).getFileStatus(p).getLen();
        if (size != rec.get().size()) {
          r.find("file-size", "file " + f + " is " + size + " bytes; its commit recorded " + rec.get().size()
              + " (rewritten since)");
        }
      } catch (IOException e) {
        r.find("file-size", "cannot read the size of file " + f + ": " + e.getClass().getSimpleName());
      }
    }
  }

  /**
   * Anything under {@code _temporary/}: a run's work folder that no commit will use once its
   * run is gone (readers skip the folder, so its rows are silently missing from the dataset).
   */
  static void checkWorkFolders(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    Path root = new Path(snap.path, DatasetFiles.WORK_ROOT);
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return;
      }
      FileStatus[] children = fs.listStatus(root);
      if (children.length == 0) {
        r.find("temporary-files", "folder " + DatasetFiles.WORK_ROOT + " is left in the dataset folder (empty)");
      }
      for (FileStatus st : children) {
        String name = DatasetFiles.WORK_ROOT + "/" + st.getPath().getName();
        long files = st.isDirectory() ? DatasetFiles.countFiles(fs, st.getPath()) : 1;
        r.find("temporary-files", "folder " + name + " holds " + files + " file(s) that are in no manifest commit: the"
            + " work folder of a run in progress, or of one that stopped (columnseal recover removes a dead run's)");
      }
    } catch (IOException e) {
      r.find("temporary-files", "cannot list " + root + ": " + e.getClass().getSimpleName());
    }
  }

  /**
   * Footer checks: encrypted columns are BINARY; the rows add up to the manifest's counts.
   * Returns false when a footer is unreadable or a column has the wrong type: scanning would fail.
   */
  static boolean checkFooters(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    boolean ok = true;
    long rows = 0;
    for (String f : snap.state.liveFiles()) {
      Path p = new Path(snap.path, f);
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
        rows += reader.getRecordCount();
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        for (io.columnseal.manifest.ColumnRecord d : snap.state.schema()) {
          // A dropped column (FORMAT.md 5.2, version 5) is never written: one in a file is a leak.
          if (!d.stored() && schema.containsField(d.name())) {
            r.find("dropped-column", "file " + f + " holds column " + d.name() + ", which the manifest records as"
                + " dropped (not to be stored)");
          }
        }
        for (String c : snap.state.encryptedColumns()) {
          if (!schema.containsField(c)) {
            r.find("column-type", "file " + f + " has no column " + c);
            ok = false;
            continue;
          }
          Type t = schema.getType(c);
          if (!t.isPrimitive() || t.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY) {
            r.find("column-type", "column " + c + " in file " + f + " is " + t + ", not BINARY cells");
            ok = false;
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!(e instanceof java.io.FileNotFoundException)) {
          r.find("unreadable-file", "file " + f + " cannot be read as Parquet: " + e.getClass().getSimpleName());
          ok = false;
        }
      }
    }
    checkRowCount(snap, rows, r);
    return ok;
  }

  /** The live files' rows against the rows the manifest's runs wrote. */
  static void checkRowCount(DatasetSnapshot snap, long rows, VerifyReport r) {
    r.rowsFound = rows;
    long expected = 0;
    for (Commit c : snap.state.history()) {
      if (c.kind() != CommitKind.REWRAP && c.files().stream().anyMatch(snap.state.liveFiles()::contains)) {
        expected += c.stats().getOrDefault("rows", 0L);
      }
    }
    r.rowsExpected = expected;
    if (rows != expected) {
      r.find("row-count", "the live files hold " + rows + " rows; the manifest's runs wrote " + expected);
    }
  }

  /** The innermost cause's type and first line: Spark's own wrapping says nothing useful. */
  static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = String.valueOf(root.getMessage()).split("\n")[0];
    return root.getClass().getSimpleName() + ": " + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg);
  }
}
