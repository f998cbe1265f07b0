package io.columnseal.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * How a failed command reaches an EMR step in YARN cluster mode. There the driver runs inside
 * the ApplicationMaster, whose exit code the step never sees: spark-submit only learns that the
 * application FAILED, with the AM's diagnostics, which Spark fills from the exception that ended
 * {@code main}. So {@link Main} throws this, carrying the one line the command printed (it names
 * the key, file or config key, never a value) and its exit code; no stack trace, so the step's
 * stderr shows one line.
 */
final class StepFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StepFailure(String causeLine, int code) {
    super((causeLine == null ? "columnseal failed (the driver's stdout and stderr say why)" : causeLine) + " (exit code " + code + ")", null, false, false);
  }

  /** Replaces System.err with a copy that remembers the last line starting with "columnseal". */
  static LastLine watchStderr() {
    LastLine watch = new LastLine(System.err);
    System.setErr(new PrintStream(watch, true));
    return watch;
  }

  /** Passes bytes through and keeps the last "columnseal ..." line (bounded; ASCII prefix test). */
  static final class LastLine extends OutputStream {
    private static final int MAX = 2000;
    private final PrintStream target;
    private final StringBuilder current = new StringBuilder();
    private volatile String last;

    LastLine(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      target.write(b);
      if (b == '\n') {
        String line = current.toString();
        if (line.startsWith("columnseal")) {
          last = line.strip();
        }
        current.setLength(0);
      } else if (current.length() < MAX) {
        current.append((char) (b & 0xff));
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public void flush() {
      target.flush();
    }

    String last() {
      return last;
    }
  }
}
