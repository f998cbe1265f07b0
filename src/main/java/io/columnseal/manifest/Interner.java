package io.columnseal.manifest;

import java.util.HashMap;

/**
 * Shares equal values (ARNs, run ids, times, encryption contexts) among the many DEK records of
 * one read: a million DEKs from a few hundred runs need a few hundred copies, not a million.
 * Not thread-safe; one per read.
 */
final class Interner {
  private final HashMap<Object, Object> seen = new HashMap<>();

  @SuppressWarnings("unchecked")
  <T> T intern(T value) {
    if (value == null) {
      return null;
    }
    Object prior = seen.putIfAbsent(value, value);
    return prior == null ? value : (T) prior;
  }
}
