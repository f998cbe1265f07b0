package io.columnseal.jobs.recovery;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;

/**
 * What one task attempt sealed and wrote: its DEKs, cell and row counts, and data files.
 * Filled in the executor by the sealing iterator and the commit protocol (both run in the
 * task's thread), and handed to the driver inside the task's commit message, so the driver
 * learns exactly the attempts whose output Spark committed (docs/EXACTLY-ONCE.md).
 */
public final class TaskLedger implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ConcurrentHashMap<Long, TaskLedger> OPEN = new ConcurrentHashMap<>();

  final int partition;
  final int attempt;
  public final List<SealedDek> deks = new ArrayList<>();
  public final List<String> files = new ArrayList<>();
  public long rows;
  public long[] cellsPerColumn;
  /** Malformed rows this attempt quarantined, and its quarantine file's name (input.malformed=quarantine). */
  public long quarantined;
  public final List<String> quarantineFiles = new ArrayList<>();

  private TaskLedger(int partition, int attempt) {
    this.partition = partition;
    this.attempt = attempt;
  }

  /**
   * The ledger of the task running in this thread; created on first use, and dropped when the
   * task ends (after commitTask has taken it, or on failure), so none outlives its task.
   */
  public static TaskLedger current() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      throw new IllegalStateException("not inside a Spark task");
    }
    long id = tc.taskAttemptId();
    return OPEN.computeIfAbsent(id, k -> {
      tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> OPEN.remove(ctx.taskAttemptId()));
      return new TaskLedger(tc.partitionId(), tc.attemptNumber());
    });
  }

  /** Removes and returns the current task's ledger (an empty one if nothing was recorded). */
  public static TaskLedger takeCurrent() {
    TaskContext tc = TaskContext.get();
    TaskLedger l = OPEN.remove(tc.taskAttemptId());
    return l != null ? l : new TaskLedger(tc.partitionId(), tc.attemptNumber());
  }

  public static void dropCurrent() {
    TaskContext tc = TaskContext.get();
    if (tc != null) {
      OPEN.remove(tc.taskAttemptId());
    }
  }

  public void addCells(int column, long n, int columns) {
    if (cellsPerColumn == null) {
      cellsPerColumn = new long[columns];
    }
    cellsPerColumn[column] += n;
  }
}
