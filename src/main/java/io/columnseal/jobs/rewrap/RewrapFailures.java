package io.columnseal.jobs.rewrap;

import io.columnseal.ColumnsealException;
import io.columnseal.kms.KmsException;
import io.columnseal.manifest.DekRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DEKs a rewrap could not ReEncrypt and why: a count per cause (error type, operation and
 * key, which is what differs between causes) and the first examples with their DEK ids, so a
 * million failures from one disabled key cost a few lines, not a million. Thread-safe.
 */
final class RewrapFailures {
  static final int MAX_EXAMPLES = 50;

  /** One failed DEK, for the report. */
  static final class Example {
    public final String dek;
    public final String fromKeyArn;
    public final String error;

    Example(String dek, String fromKeyArn, String error) {
      this.dek = dek;
      this.fromKeyArn = fromKeyArn;
      this.error = error;
    }
  }

  private final Map<String, Long> byCause = new LinkedHashMap<>();
  private final List<Example> examples = new ArrayList<>();
  private long count;

  synchronized void add(DekRecord dek, RuntimeException e) {
    count++;
    byCause.merge(cause(e), 1L, Long::sum);
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(new Example(dek.id().hex(), dek.keyArn(), message(e)));
    }
  }

  synchronized long count() {
    return count;
  }

  synchronized Map<String, Long> byCause() {
    return new LinkedHashMap<>(byCause);
  }

  synchronized List<Example> examples() {
    return List.copyOf(examples);
  }

  /** "KeyDisabledException: ReEncrypt on key arn:...": what a DEK's failure has in common with others. */
  static String cause(RuntimeException e) {
    if (e instanceof KmsException) {
      KmsException k = (KmsException) e;
      return e.getClass().getSimpleName() + ": " + k.operation() + " on key " + k.keyId();
    }
    return e.getClass().getSimpleName();
  }

  /** Our messages never carry key bytes; anything else is named by type and first line. */
  static String message(RuntimeException e) {
    if (e instanceof ColumnsealException) {
      return e.getMessage();
    }
    String m = String.valueOf(e.getMessage()).split("\n")[0];
    return e.getClass().getSimpleName() + ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m);
  }
}
