package io.columnseal.kms.testserver;

import java.util.ArrayList;
import java.util.List;

/** Every request the server got, in arrival order of answers. Thread-safe. */
public final class RequestLog {
  private final List<LoggedRequest> entries = new ArrayList<>();

  synchronized void add(LoggedRequest r) {
    entries.add(r);
  }

  public synchronized List<LoggedRequest> entries() {
    return List.copyOf(entries);
  }

  /** The requests of one operation, e.g. {@code "Decrypt"}. */
  public synchronized List<LoggedRequest> of(String operation) {
    return entries.stream().filter(r -> r.operation().equals(operation)).toList();
  }

  /** How many requests of {@code operation} ended with {@code outcome} (see {@link LoggedRequest}). */
  public synchronized long count(String operation, String outcome) {
    return entries.stream().filter(r -> r.operation().equals(operation) && r.outcome().equals(outcome)).count();
  }

  public synchronized void clear() {
    entries.clear();
  }
}
