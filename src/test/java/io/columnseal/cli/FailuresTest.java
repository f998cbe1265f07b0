package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.columnseal.Failures;
import java.io.IOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** A foreign exception is named by its type, never by its message (which may quote a value). */
class FailuresTest {
  @Test
  void aCastFailureInATaskNamesItsTypeNotTheValue() {
    Throwable e = new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0 failed: "
        + "java.lang.NumberFormatException: For input string: \"4111111111111111\"",
        new NumberFormatException("For input string: \"4111111111111111\""));
    assertEquals("a value could not be parsed or converted in a Spark task (NumberFormatException; its message is not"
        + " shown as it may quote data; --verbose shows the stack trace)", Failures.describe(e));
  }

  @Test
  void otherTypesHaveTheirCategory() {
    assertEquals("an I/O error (FileNotFoundException; its message is not shown as it may quote data; --verbose shows"
        + " the stack trace)", Failures.describe(new RuntimeException("wrap", new java.io.FileNotFoundException("x"))));
    assertEquals("an unexpected error (IllegalStateException; its message is not shown as it may quote data; --verbose"
        + " shows the stack trace)", Failures.describe(new RuntimeException(new IllegalStateException("Jane Doe"))));
    assertEquals("an I/O error (IOException; its message is not shown as it may quote data; --verbose shows the stack"
        + " trace)", Failures.describe(new IOException("12 Main St")));
  }

  @Test
  void theInterruptNoticeSaysWhatHappensNext() {
    assertEquals("columnseal encrypt: interrupted; the run's data is not committed to the manifest: readers do not see"
        + " it, and the next encrypt with output.mode=append or overwrite, or `columnseal recover`, finishes or drops it",
        InterruptNotice.line("columnseal encrypt", InterruptNotice.ENCRYPT));
    assertEquals("columnseal decrypt: interrupted; the output /data/plain is incomplete (no _SUCCESS file): delete it,"
        + " or run decrypt again with --mode overwrite",
        InterruptNotice.line("columnseal decrypt", InterruptNotice.decrypt("/data/plain")));
  }
}
