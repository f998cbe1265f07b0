package io.columnseal.jobs;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's hook on one encrypt run's write. Just before Spark makes the data visible it
 * writes {@code _columnseal/_pending/<run>.json} ({@link PendingRecord}): the committed tasks'
 * files, counts and wrapped DEKs, with the run's schema and mode. If the driver dies between
 * the data commit and the manifest commit, that record is what shows the dataset is incomplete
 * and what the next run needs to write the missing commit ({@link RunRecovery}); the job
 * deletes it once the manifest commit holds the same facts. Wrapped keys are not secret.
 */
final class PendingRun implements RunCommitHook {
  private static final Logger LOG = LoggerFactory.getLogger(PendingRun.class);
  private final Configuration conf;
  private final Path file;
  private final PendingRecord header;
  private final List<String> encryptedColumns;
  private final Clock clock;
  private volatile List<TaskLedger> tasks;
  private volatile boolean dataCommitted;

  /**
   * @param header the record without its tasks and time (dataset, run, mode, input, base
   *     version, driver, schema)
   * @param encryptedColumns the encrypted columns in the order of the ledgers' cell counts
   */
  PendingRun(Configuration conf, Path file, PendingRecord header, List<String> encryptedColumns, Clock clock) {
    this.conf = conf;
    this.file = file;
    this.header = header;
    this.encryptedColumns = List.copyOf(encryptedColumns);
    this.clock = clock;
  }

  @Override
  public void beforeDataCommit(List<TaskLedger> committedTasks) {
    this.tasks = new ArrayList<>(committedTasks);
    header.written = clock.instant().toString();
    header.tasks = new ArrayList<>();
    for (TaskLedger t : committedTasks) {
      header.tasks.add(PendingRecord.task(t, encryptedColumns));
    }
    PendingRecord.write(conf, file, header);
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

  /**
   * Deletes the record once the manifest commit holds its facts. A failure is not the run's:
   * readers ignore a record whose run is in the manifest, and the next run deletes it.
   */
  void delete() {
    try {
      file.getFileSystem(conf).delete(file, false);
    } catch (IOException e) {
      LOG.warn("run {} committed its manifest, but its pending record {} could not be deleted ({}); the next run "
          + "deletes it", header.runId, file, e.toString());
    }
  }
}
