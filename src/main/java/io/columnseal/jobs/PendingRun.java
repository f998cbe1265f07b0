package io.columnseal.jobs;

import io.columnseal.crypto.DekId;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The driver's hook on one encrypt run's write. Just before Spark makes the data visible it
 * writes {@code _columnseal/_pending/<run>.json}: the committed tasks' wrapped DEKs and files.
 * If the driver dies between the data commit and the manifest commit, that record is what
 * shows the dataset is incomplete and what a later run needs to adopt the orphaned files; the
 * job deletes it once the manifest commit holds the same facts. Wrapped keys are not secret.
 */
final class PendingRun implements RunCommitHook {
  private final Configuration conf;
  private final Path file;
  private final String datasetId;
  private final String runId;
  private volatile List<TaskLedger> tasks;
  private volatile boolean dataCommitted;

  PendingRun(Configuration conf, Path file, String datasetId, String runId) {
    this.conf = conf;
    this.file = file;
    this.datasetId = datasetId;
    this.runId = runId;
  }

  @Override
  public void beforeDataCommit(List<TaskLedger> committedTasks) {
    this.tasks = new ArrayList<>(committedTasks);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("datasetId", datasetId);
    record.put("runId", runId);
    List<Map<String, Object>> deks = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (TaskLedger t : committedTasks) {
      for (SealedDek d : t.deks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", DekId.fromLong(d.dekId).hex());
        m.put("keyArn", d.keyArn);
        m.put("wrappedKey", Base64.getEncoder().encodeToString(d.wrappedKey));
        m.put("encryptionContext", d.context);
        m.put("cells", d.cells);
        deks.add(m);
      }
      files.addAll(t.files);
    }
    record.put("deks", deks);
    record.put("files", files);
    try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
      RunSummaries.JSON.writeValue(out, record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pending record " + file + "; the data was not committed", e);
    }
  }

  @Override
  public void afterDataCommit() {
    dataCommitted = true;
  }

  boolean dataCommitted() {
    return dataCommitted;
  }

  List<TaskLedger> tasks() {
    return tasks == null ? List.of() : tasks;
  }

  void delete() {
    try {
      file.getFileSystem(conf).delete(file, false);
    } catch (IOException e) {
      throw new UncheckedIOException("manifest committed, but the pending record " + file + " could not be deleted", e);
    }
  }
}
