package io.columnseal.jobs.recovery;

import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.PendingMac;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's hook on one encrypt run's write. Before the write starts, {@link #claim} writes
 * the run's write claim ({@code _columnseal/_writing/<run>.json}, the record's header with the
 * run's work folder), so that a driver that dies before its data commit leaves a record of
 * which folder under {@code _temporary} was its own. Just before Spark makes the data visible it
 * writes {@code _columnseal/_pending/<run>.json} ({@link PendingRecord}): the committed tasks'
 * files, counts and wrapped DEKs, with the run's schema and mode. If the driver dies between
 * the data commit and the manifest commit, that record is what shows the dataset is incomplete
 * and what the next run needs to write the missing commit ({@link RunRecovery}); the job
 * deletes it once the manifest commit holds the same facts. Wrapped keys are not secret.
 */
public final class PendingRun implements RunCommitHook {
  private static final Logger LOG = LoggerFactory.getLogger(PendingRun.class);
  private final Configuration conf;
  private final Path file;
  private final Path claimFile;
  private final PendingRecord header;
  private final List<String> encryptedColumns;
  private final Clock clock;
  /** manifest.macKey, or null: the record is MAC'd (FORMAT.md 5.9) so that only it is ever recovered. */
  private final ManifestMacKey macKey;
  private volatile List<TaskLedger> tasks;
  private volatile boolean dataCommitted;
  private volatile boolean recordWritten;

  /**
   * @param header the record without its tasks and time (dataset, run, mode, input, base
   *     version, driver, schema)
   * @param encryptedColumns the encrypted columns in the order of the ledgers' cell counts
   * @param macKey manifest.macKey, or null; used on the driver only (this hook is never serialized)
   */
  public PendingRun(Configuration conf, Path file, Path claimFile, PendingRecord header, List<String> encryptedColumns,
      Clock clock, ManifestMacKey macKey) {
    this.conf = conf;
    this.file = file;
    this.claimFile = claimFile;
    this.header = header;
    this.encryptedColumns = List.copyOf(encryptedColumns);
    this.clock = clock;
    this.macKey = macKey;
  }

  /** Writes the write claim; before the Spark write, so every file the run writes is covered. */
  public void claim() {
    header.written = clock.instant().toString();
    header.tasks = new ArrayList<>();
    PendingRecord.write(conf, claimFile, header);
  }

  @Override
  public void beforeDataCommit(List<TaskLedger> committedTasks) {
    this.tasks = new ArrayList<>(committedTasks);
    header.written = clock.instant().toString();
    header.tasks = new ArrayList<>();
    for (TaskLedger t : committedTasks) {
      header.tasks.add(PendingRecord.task(t, encryptedColumns));
    }
    byte[] bytes = PendingRecord.encode(header);
    if (macKey != null) {
      // Before the record: a crash never leaves a record of a keyed run without its MAC.
      PendingRecord.write(conf, PendingMac.sideFile(file),
          PendingMac.sign(macKey, header.datasetId, header.runId, bytes), "pending record's MAC");
    }
    PendingRecord.write(conf, file, bytes, "pending record");
    recordWritten = true;
  }

  @Override
  public void afterDataCommit() {
    dataCommitted = true;
  }

  public boolean dataCommitted() {
    return dataCommitted;
  }

  /** True once the pending record is written: the data commit may have moved files since. */
  public boolean recordWritten() {
    return recordWritten;
  }

  public List<TaskLedger> tasks() {
    return tasks == null ? List.of() : tasks;
  }

  /**
   * Deletes the record once the manifest commit holds its facts. A failure is not the run's:
   * readers ignore a record whose run is in the manifest, and the next run deletes it.
   */
  public void delete() {
    // The MAC after its record: a record is never left without it.
    for (Path p : List.of(file, claimFile, PendingMac.sideFile(file))) {
      try {
        p.getFileSystem(conf).delete(p, false);
      } catch (IOException e) {
        LOG.warn("run {} committed its manifest, but its record {} could not be deleted ({}); the next run "
            + "deletes it", header.runId, p, e.toString());
      }
    }
  }

  /**
   * After a write that failed before its data commit began: Spark's abort removed the run's
   * work folder, so the claim has nothing left to account for.
   */
  public void deleteClaim() {
    try {
      claimFile.getFileSystem(conf).delete(claimFile, false);
    } catch (IOException e) {
      LOG.warn("run {} failed, and its write claim {} could not be deleted ({}); the next run or recover deletes it",
          header.runId, claimFile, e.toString());
    }
  }
}
