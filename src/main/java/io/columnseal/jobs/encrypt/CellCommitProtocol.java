package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.recovery.RunCommitHook;
import io.columnseal.jobs.recovery.TaskLedger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.internal.io.FileCommitProtocol;
import org.apache.spark.internal.io.FileNameSpec;
import org.apache.spark.sql.internal.SQLConf;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Wraps the session's own file commit protocol (Spark's default, or EMR's optimized one) and
 * adds one thing: each task's commit message carries the task's {@link TaskLedger}. Spark
 * passes to {@code commitJob} the messages of exactly the attempts it committed, one per
 * partition, whatever retries, speculative copies or lost executors happened; so the DEKs and
 * files the driver records are those of the committed data, each counted once.
 */
public final class CellCommitProtocol extends FileCommitProtocol implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The protocol we wrap; set by the encrypt job to the session's previous value. */
  public static final String INNER_CLASS_KEY = "spark.columnseal.innerCommitProtocolClass";
  /** Write option (and so job configuration) naming the run whose hook to call. */
  public static final String RUN_ID_OPTION = "columnseal.run.id";
  static final String SPARK_DEFAULT = "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol";

  private final FileCommitProtocol inner;

  public CellCommitProtocol(String jobId, String path, boolean dynamicPartitionOverwrite) {
    String innerClass = SQLConf.get().getConfString(INNER_CLASS_KEY, SPARK_DEFAULT);
    this.inner = FileCommitProtocol.instantiate(innerClass, jobId, path, dynamicPartitionOverwrite);
  }

  @Override
  public void setupJob(JobContext jobContext) {
    inner.setupJob(jobContext);
  }

  @Override
  public void commitJob(JobContext jobContext, Seq<TaskCommitMessage> taskCommits) {
    List<TaskCommitMessage> innerMessages = new ArrayList<>();
    List<TaskLedger> ledgers = new ArrayList<>();
    for (TaskCommitMessage m : JavaConverters.seqAsJavaList(taskCommits)) {
      LedgerMessage lm = (LedgerMessage) m.obj();
      innerMessages.add(lm.inner);
      ledgers.add(lm.ledger);
    }
    RunCommitHook hook = RunCommitHook.Registry.get(jobContext.getConfiguration().get(RUN_ID_OPTION));
    if (hook != null) {
      hook.beforeDataCommit(ledgers);
    }
    inner.commitJob(jobContext, JavaConverters.asScalaBuffer(innerMessages).toSeq());
    if (hook != null) {
      hook.afterDataCommit();
    }
  }

  @Override
  public void abortJob(JobContext jobContext) {
    inner.abortJob(jobContext);
  }

  @Override
  public void setupTask(TaskAttemptContext taskContext) {
    inner.setupTask(taskContext);
  }

  @Override
  @SuppressWarnings("deprecation")
  public String newTaskTempFile(TaskAttemptContext taskContext, Option<String> dir, String ext) {
    return record(dir, inner.newTaskTempFile(taskContext, dir, ext));
  }

  @Override
  public String newTaskTempFile(TaskAttemptContext taskContext, Option<String> dir, FileNameSpec spec) {
    return record(dir, inner.newTaskTempFile(taskContext, dir, spec));
  }

  @Override
  @SuppressWarnings("deprecation")
  public String newTaskTempFileAbsPath(TaskAttemptContext taskContext, String absoluteDir, String ext) {
    return recordAbsolute(inner.newTaskTempFileAbsPath(taskContext, absoluteDir, ext), absoluteDir);
  }

  @Override
  public String newTaskTempFileAbsPath(TaskAttemptContext taskContext, String absoluteDir, FileNameSpec spec) {
    return recordAbsolute(inner.newTaskTempFileAbsPath(taskContext, absoluteDir, spec), absoluteDir);
  }

  @Override
  public TaskCommitMessage commitTask(TaskAttemptContext taskContext) {
    TaskCommitMessage m = inner.commitTask(taskContext);
    return new TaskCommitMessage(new LedgerMessage(m, TaskLedger.takeCurrent()));
  }

  @Override
  public void abortTask(TaskAttemptContext taskContext) {
    TaskLedger.dropCurrent();
    inner.abortTask(taskContext);
  }

  @Override
  public boolean deleteWithJob(org.apache.hadoop.fs.FileSystem fs, Path path, boolean recursive) {
    return inner.deleteWithJob(fs, path, recursive);
  }

  @Override
  public void onTaskCommit(TaskCommitMessage taskCommit) {
    Object o = taskCommit.obj();
    inner.onTaskCommit(o instanceof LedgerMessage ? ((LedgerMessage) o).inner : taskCommit);
  }

  /** Remembers the final relative path of a file the task is about to write. */
  private static String record(Option<String> dir, String tempPath) {
    String name = new Path(tempPath).getName();
    TaskLedger.current().files.add(dir.isDefined() ? dir.get() + "/" + name : name);
    return tempPath;
  }

  private static String recordAbsolute(String tempPath, String absoluteDir) {
    TaskLedger.current().files.add(new Path(absoluteDir, new Path(tempPath).getName()).toString());
    return tempPath;
  }

  /** The inner protocol's message plus the task's ledger. */
  private static final class LedgerMessage implements Serializable {
    private static final long serialVersionUID = 1L;
    final TaskCommitMessage inner;
    final TaskLedger ledger;

    LedgerMessage(TaskCommitMessage inner, TaskLedger ledger) {
      this.inner = inner;
      this.ledger = ledger;
    }
  }
}
