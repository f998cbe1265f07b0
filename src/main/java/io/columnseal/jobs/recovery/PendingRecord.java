package io.columnseal.jobs.recovery;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RunSummaries;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DekRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code _columnseal/_pending/<run>.json}: what an encrypt run committed in its data commit,
 * written just before it (docs/FORMAT.md 5.9). It holds everything the manifest commit needs,
 * so that a later run can write that commit if this one dies first: the schema, the run's mode
 * and base version, and per committed task its files, rows, cell counts and wrapped DEKs.
 * The same record without tasks is the run's write claim, {@code _columnseal/_writing/<run>.json},
 * written before its Spark write starts: it names the run's work folder, so that the folder of
 * a driver that died before its data commit is found and removed.
 * Wrapped keys are not secret; nothing here is a plaintext key or a cell value.
 */
public final class PendingRecord {
  static final int FORMAT = 2;
  /** Format 1 records (no workDir) are still read: their run's work folder is unknown. */
  private static final int OLDEST_FORMAT = 1;

  public int pendingFormat = FORMAT;
  public String datasetId;
  public String runId;
  /** The run's output.mode: error, append or overwrite. */
  public String mode;
  public String input;
  public String inputFormat;
  /** The manifest version the run checked its output against (0: no manifest yet). */
  public long baseVersion;
  public String written;
  public DriverProcess driver;
  /**
   * The run's own Hadoop work folder, relative to the dataset ({@code _temporary/<attempt>}),
   * where committed tasks' files wait for the job commit; null when the run's committer keeps
   * its work elsewhere.
   */
  public String workDir;
  public List<Column> schema;
  /** binary or base64; null in records written before it was recorded. */
  public String cellEncoding;
  /** Input file fingerprints (as a commit's {@code inputs}); null in records written before. */
  public List<String> inputs;
  public List<Task> tasks;

  /** One column of the dataset's schema, as the manifest records it. */
  public static final class Column {
    public String name;
    public String type;
    public boolean nullable;
    public boolean encrypted;
    /** The column's policy (format version 5); left out of the record for a run without policies. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public String protection;
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public String key;
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public Map<String, String> options;

    public static Column of(ColumnRecord c) {
      Column out = new Column();
      out.name = c.name();
      out.type = c.type();
      out.nullable = c.nullable();
      out.encrypted = c.encrypted();
      if (c.hasPolicy()) {
        out.protection = c.protection();
        out.key = c.key();
        out.options = new TreeMap<>(c.options());
      }
      return out;
    }

    ColumnRecord toRecord() {
      return protection == null ? ColumnRecord.of(name, type, nullable, encrypted)
          : ColumnRecord.withPolicy(name, type, nullable, encrypted, protection, key,
              options == null ? Map.of() : options);
    }
  }

  /** One committed task attempt: its files, rows, cells per encrypted column and DEKs. */
  static final class Task {
    public int partition;
    public long rows;
    public List<String> files;
    public Map<String, Long> cells;
    public List<Dek> deks;
  }

  /** A DEK as the manifest will record it, the wrapped key in base64. */
  static final class Dek {
    public String id;
    public String keyArn;
    public String wrappedKey;
    public Map<String, String> encryptionContext;
    public long cells;
    public String created;

    static Dek of(SealedDek d) {
      Dek out = new Dek();
      out.id = DekId.fromLong(d.dekId).hex();
      out.keyArn = d.keyArn;
      out.wrappedKey = Base64.getEncoder().encodeToString(d.wrappedKey);
      out.encryptionContext = new TreeMap<>(d.context);
      out.cells = d.cells;
      out.created = Instant.ofEpochMilli(d.createdMillis).toString();
      return out;
    }

    DekRecord toRecord(String runId) {
      return DekRecord.builder().id(DekId.parse(id)).keyArn(keyArn).wrappedKey(Base64.getDecoder().decode(wrappedKey))
          .encryptionContext(encryptionContext).cells(cells).runId(runId).created(Instant.parse(created)).build();
    }
  }

  /** The task as the record keeps it; {@code encryptedColumns} in the order of the ledger's counts. */
  static Task task(TaskLedger t, List<String> encryptedColumns) {
    Task out = new Task();
    out.partition = t.partition;
    out.rows = t.rows;
    out.files = new ArrayList<>(t.files);
    out.cells = new TreeMap<>();
    for (int k = 0; k < encryptedColumns.size(); k++) {
      out.cells.put(encryptedColumns.get(k), t.cellsPerColumn == null ? 0L : t.cellsPerColumn[k]);
    }
    out.deks = new ArrayList<>();
    for (SealedDek d : t.deks) {
      out.deks.add(Dek.of(d));
    }
    return out;
  }

  List<ColumnRecord> schemaRecords() {
    List<ColumnRecord> out = new ArrayList<>();
    schema.forEach(c -> out.add(c.toRecord()));
    return out;
  }

  /** The record's exact bytes as written (a record's MAC is over these, FORMAT.md 5.9). */
  static byte[] encode(PendingRecord record) {
    try {
      return RunSummaries.JSON.writeValueAsBytes(record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the pending record of run " + record.runId, e);
    }
  }

  static void write(Configuration conf, Path file, PendingRecord record) {
    write(conf, file, encode(record), "pending record");
  }

  /**
   * Writes through a hidden temporary file and a rename, so the file under its real name is
   * always whole: a driver that dies while writing it leaves only the temporary file, and no
   * data was committed then.
   */
  static void write(Configuration conf, Path file, byte[] bytes, String what) {
    Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("rename of " + tmp + " to " + file + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the " + what + " " + file + "; the data was not committed", e);
    }
  }

  /**
   * The record, or null when the file is gone (its run finished between the listing and now).
   *
   * @throws DatasetException naming the file when it is not a whole record of this format
   */
  static PendingRecord readIfPresent(Configuration conf, Path file) {
    byte[] bytes = bytesIfPresent(conf, file);
    return bytes == null ? null : parse(file, bytes);
  }

  /** The file's bytes, or null when it is gone (its run finished between the listing and now). */
  static byte[] bytesIfPresent(Configuration conf, Path file) {
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      return in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw unreadable(file, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    }
  }

  /**
   * The record {@code bytes} (read from {@code file}) hold.
   *
   * @throws DatasetException naming the file when it is not a whole record of this format
   */
  static PendingRecord parse(Path file, byte[] bytes) {
    PendingRecord r;
    try {
      r = RunSummaries.JSON.readValue(bytes, PendingRecord.class);
    } catch (IOException e) {
      throw unreadable(file, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    }
    if (r == null || r.pendingFormat < OLDEST_FORMAT || r.pendingFormat > FORMAT) {
      throw unreadable(file, "pendingFormat is " + (r == null ? "missing" : r.pendingFormat) + ", not "
          + OLDEST_FORMAT + " to " + FORMAT);
    }
    if (r.workDir != null && (!r.workDir.startsWith(DatasetFiles.WORK_ROOT + "/") || r.workDir.contains(".."))) {
      throw unreadable(file, "workDir is not a folder under the dataset's _temporary");
    }
    if (r.datasetId == null || r.runId == null || r.mode == null || r.schema == null || r.schema.isEmpty()
        || r.tasks == null) {
      throw unreadable(file, "datasetId, runId, mode, schema and tasks are all required");
    }
    try {
      Instant.parse(String.valueOf(r.written));
    } catch (java.time.format.DateTimeParseException e) {
      throw unreadable(file, "written is not an instant");
    }
    for (Task t : r.tasks) {
      if (t == null || t.files == null || t.deks == null || t.cells == null) {
        throw unreadable(file, "a task lacks its files, cells or deks");
      }
    }
    return r;
  }

  private static DatasetException unreadable(Path file, String why) {
    return new DatasetException("the pending record " + file + " cannot be read (" + why + "); an unfinished run "
        + "cannot be recovered without it. Keep it for inspection; verify lists the files no commit names");
  }

  private static String firstLine(String s) {
    String line = String.valueOf(s).split("\n")[0];
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
