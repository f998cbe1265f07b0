package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The encrypt/decrypt progress line: its text, its pace, and its silence off a terminal. */
class ProgressLineTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void formatsTasksRowsAndRate() {
    assertEquals("columnseal encrypt: 3/8 tasks, 120,000 rows, 40,000 rows/s",
        ProgressLine.format("columnseal encrypt", 3, 8, 120_000, 3_000));
    assertEquals("columnseal decrypt: 0/0 tasks, 0 rows, 0 rows/s", ProgressLine.format("columnseal decrypt", 0, 0, 0, 0));
  }

  @Test
  void rewritesOneLineInPlaceAtMostFourTimesASecond() {
    ProgressLine p = new ProgressLine("columnseal encrypt", out, true, now::get);
    p.stageSubmitted(4);                     // printed: the first update
    now.addAndGet(100);
    p.taskEnded(true, 1000);                 // 100 ms later: skipped
    now.addAndGet(150);
    p.taskEnded(false, 0);                   // 250 ms after the last print: printed; a failed task is not done
    now.addAndGet(750);
    p.taskEnded(true, 10_000);               // printed
    assertEquals("\rcolumnseal encrypt: 0/4 tasks, 0 rows, 0 rows/s"
        + "\rcolumnseal encrypt: 1/4 tasks, 1,000 rows, 4,000 rows/s"
        + "\rcolumnseal encrypt: 2/4 tasks, 11,000 rows, 11,000 rows/s", text());
    bytes.reset();
    p.close();
    // Cleared, so the summary that follows starts at the line's start.
    assertEquals("\r" + " ".repeat("columnseal encrypt: 2/4 tasks, 11,000 rows, 11,000 rows/s".length()) + "\r", text());
  }

  @Test
  void aShorterLineCoversTheLongerOneBeforeIt() {
    ProgressLine p = new ProgressLine("x", out, true, now::get);
    p.taskEnded(true, 1_000_000);            // "x: 1/0 tasks, 1,000,000 rows, 0 rows/s"
    now.addAndGet(1000);
    p.stageSubmitted(2);                     // same row count, rate now shown
    String first = "x: 1/0 tasks, 1,000,000 rows, 0 rows/s";
    String second = "x: 1/2 tasks, 1,000,000 rows, 1,000,000 rows/s";
    assertEquals("\r" + first + "\r" + second, text());
    assertEquals(true, second.length() > first.length());
  }

  @Test
  void silentWhenStderrIsNotATerminal() {
    ProgressLine p = new ProgressLine("columnseal encrypt", out, false, now::get);
    p.stageSubmitted(4);
    for (int i = 0; i < 4; i++) {
      now.addAndGet(1000);
      p.taskEnded(true, 100);
    }
    p.close();
    assertEquals("", text());
  }

  @Test
  void theVerboseSwitch() {
    assertEquals(true, Logging.verbose(true, null));
    assertEquals(true, Logging.verbose(false, "1"));
    assertEquals(true, Logging.verbose(false, "true"));
    assertEquals(false, Logging.verbose(false, null));
    assertEquals(false, Logging.verbose(false, "0"));
    assertEquals(false, Logging.verbose(false, ""));
  }

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
