package io.columnseal.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The progress of a running encrypt or decrypt on one terminal line ("12/16 tasks, 1,200,000
 * rows, 95,000 rows/s"), rewritten in place with a carriage return at most four times a second.
 * Only on a terminal: in logs, CI and EMR step output a line rewritten with \r is noise, so
 * there it prints nothing. Rows are the records the finished tasks wrote (Spark's output
 * metrics), so the figure is the output's, counted once per successful task.
 */
final class ProgressLine extends SparkListener implements AutoCloseable {
  static final long MIN_INTERVAL_MS = 250;

  private final String command;
  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier clockMillis;
  private final long start;
  private SparkSession spark;
  private int tasks;
  private int done;
  private long rows;
  private long lastPrinted = Long.MIN_VALUE;
  private int width;

  ProgressLine(String command, PrintStream out, boolean terminal, LongSupplier clockMillis) {
    this.command = command;
    this.out = out;
    this.terminal = terminal;
    this.clockMillis = clockMillis;
    this.start = clockMillis.getAsLong();
  }

  /** On stderr, if stderr is a terminal, listening to {@code spark}'s jobs until closed. */
  static ProgressLine on(SparkSession spark, String command) {
    ProgressLine p = new ProgressLine(command, System.err, System.console() != null, System::currentTimeMillis);
    if (p.terminal) {
      p.spark = spark;
      spark.sparkContext().addSparkListener(p);
    }
    return p;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    stageSubmitted(e.stageInfo().numTasks());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    boolean ok = e.reason() == Success$.MODULE$;
    long written = ok && e.taskMetrics() != null ? e.taskMetrics().outputMetrics().recordsWritten() : 0;
    taskEnded(ok, written);
  }

  synchronized void stageSubmitted(int numTasks) {
    tasks += numTasks;
    maybePrint();
  }

  synchronized void taskEnded(boolean success, long recordsWritten) {
    if (success) {
      done++;
      rows += recordsWritten;
    }
    maybePrint();
  }

  private void maybePrint() {
    long now = clockMillis.getAsLong();
    if (!terminal || (lastPrinted != Long.MIN_VALUE && now - lastPrinted < MIN_INTERVAL_MS)) {
      return;
    }
    lastPrinted = now;
    String line = format(command, done, tasks, rows, now - start);
    // Pad over a longer previous line, then return to the line's start.
    out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
    out.flush();
    width = line.length();
  }

  /** "columnseal encrypt: 3/8 tasks, 120,000 rows, 40,000 rows/s". */
  static String format(String command, int done, int tasks, long rows, long elapsedMillis) {
    long rate = elapsedMillis <= 0 ? 0 : rows * 1000 / elapsedMillis;
    return String.format(Locale.ROOT, "%s: %d/%d tasks, %,d rows, %,d rows/s", command, done, tasks, rows, rate);
  }

  /** Stops listening and clears the line, so the summary that follows starts clean. */
  @Override
  public synchronized void close() {
    if (spark != null) {
      spark.sparkContext().removeSparkListener(this);
      spark = null;
    }
    if (terminal && width > 0) {
      out.print("\r" + " ".repeat(width) + "\r");
      out.flush();
      width = 0;
    }
  }
}
