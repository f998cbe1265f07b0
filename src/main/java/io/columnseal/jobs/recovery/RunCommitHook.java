package io.columnseal.jobs.recovery;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver's side of a write: {@code CellCommitProtocol.commitJob} calls the hook registered
 * for the run id in the write's options, with the ledgers of the committed task attempts,
 * before and after it commits the data.
 */
public interface RunCommitHook {
  /** Called before the data becomes visible; a throw aborts the job and nothing is committed. */
  void beforeDataCommit(List<TaskLedger> committedTasks);

  /** Called once the data files are in place. */
  void afterDataCommit();

  /** Hooks by run id; lives in the driver JVM only. */
  final class Registry {
    private static final ConcurrentHashMap<String, RunCommitHook> HOOKS = new ConcurrentHashMap<>();

    private Registry() {}

    public static void register(String runId, RunCommitHook hook) {
      HOOKS.put(runId, hook);
    }

    public static RunCommitHook get(String runId) {
      return runId == null ? null : HOOKS.get(runId);
    }

    public static void unregister(String runId) {
      HOOKS.remove(runId);
    }
  }
}
