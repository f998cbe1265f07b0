package io.columnseal.cli;

import java.io.PrintStream;

/**
 * While a job runs, Ctrl-C (SIGINT, SIGTERM: a JVM shutdown) prints "interrupted" and what
 * happens to the half-done work, so the user knows whether to re-run, recover or clean up.
 * The JVM's shutdown hook is removed when the job ends normally.
 */
final class InterruptNotice implements AutoCloseable {
  static final String ENCRYPT = "the run's data is not committed to the manifest: readers do not see it, and the"
      + " next encrypt with output.mode=append or overwrite, or `columnseal recover`, finishes or drops it";

  static String decrypt(String output) {
    return "the output " + output + " is incomplete (no _SUCCESS file): delete it, or run decrypt again with"
        + " --mode overwrite";
  }

  private final Thread hook;
  private volatile boolean closed;

  private InterruptNotice(String line, PrintStream err) {
    this.hook = new Thread(() -> {
      if (!closed) {
        err.println();
        err.println(line);
        err.flush();
      }
    }, "columnseal-interrupt-notice");
  }

  /** The line Ctrl-C prints: "columnseal encrypt: interrupted; ...". */
  static String line(String command, String whatNext) {
    return command + ": interrupted; " + whatNext;
  }

  static InterruptNotice install(String command, String whatNext) {
    InterruptNotice n = new InterruptNotice(line(command, whatNext), System.err);
    Runtime.getRuntime().addShutdownHook(n.hook);
    return n;
  }

  @Override
  public void close() {
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs, and sees closed.
    }
  }
}
