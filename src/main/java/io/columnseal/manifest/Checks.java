package io.columnseal.manifest;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Argument checks shared by the model builders. They throw IllegalArgumentException. */
final class Checks {
  private Checks() {}

  static String text(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must be a non-empty string");
    }
    return value;
  }

  static <T> T present(T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    return value;
  }

  static long nonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + value);
    }
    return value;
  }

  static byte[] blob(byte[] value, String what) {
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException(what + " must be a non-empty byte array");
    }
    return value.clone();
  }

  /** Unmodifiable copy with no null element. */
  static <T> List<T> list(List<T> list, String what) {
    for (T t : present(list, what)) {
      present(t, "each " + what);
    }
    return List.copyOf(list);
  }

  /** Sorted, unmodifiable copy with non-empty keys and non-null values. */
  static <V> Map<String, V> sortedMap(Map<String, V> map, String what) {
    TreeMap<String, V> copy = new TreeMap<>();
    for (Map.Entry<String, V> e : present(map, what).entrySet()) {
      copy.put(text(e.getKey(), what + " key"), present(e.getValue(), what + " value of " + e.getKey()));
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * A data file path relative to the dataset root, in '/'-separated form: no scheme, no leading
   * or trailing '/', no empty, "." or ".." segment, so a commit can never point outside its
   * dataset.
   */
  static String relativePath(String path) {
    text(path, "data file path");
    if (path.startsWith("/") || path.endsWith("/") || path.contains("\\") || path.contains(":")) {
      throw new IllegalArgumentException("data file path must be relative to the dataset root with '/' separators: " + path);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("data file path has an empty, '.' or '..' segment: " + path);
      }
    }
    return path;
  }
}
