package io.columnseal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.columnseal.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job spec as dotted keys: the YAML file flattened ({@code input: {path: x}} becomes
 * {@code input.path}), then each {@code --set key=value} on top. Values are strings or lists of
 * strings. Nothing is checked here; {@link ConfigKeys} validates.
 */
final class RawConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final TreeMap<String, Object> values = new TreeMap<>();

  static RawConfig load(Path file, List<String> sets) {
    RawConfig c = new RawConfig();
    if (file != null) {
      c.loadYaml(file);
    }
    for (String s : sets) {
      c.set(s);
    }
    return c;
  }

  Map<String, Object> values() {
    return values;
  }

  private void loadYaml(Path file) {
    Object root;
    try {
      root = YAML.readValue(Files.readAllBytes(file), Object.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Cannot read --config " + file + ": no such file");
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      throw new ConfigException("Cannot read --config " + file + ": not valid YAML (" + msg + ")");
    }
    if (root == null) {
      return;
    }
    if (!(root instanceof Map)) {
      throw new ConfigException("Cannot read --config " + file + ": the top level must be a mapping of keys");
    }
    flatten("", (Map<?, ?>) root);
  }

  private void flatten(String prefix, Map<?, ?> map) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      Object v = e.getValue();
      if (v instanceof Map) {
        flatten(key + ".", (Map<?, ?>) v);
      } else if (v instanceof List) {
        List<String> list = new ArrayList<>();
        for (Object o : (List<?>) v) {
          if (o instanceof Map || o instanceof List) {
            throw new ConfigException("Cannot set " + key + ": a list of plain values is expected");
          }
          list.add(String.valueOf(o));
        }
        values.put(key, list);
      } else {
        values.put(key, v == null ? null : String.valueOf(v));
      }
    }
  }

  /** {@code key=value}; list keys take comma-separated values. */
  private void set(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("Cannot use --set " + assignment + ": the form is --set dotted.key=value");
    }
    String key = assignment.substring(0, eq).trim();
    String value = assignment.substring(eq + 1).trim();
    if (ConfigKeys.isList(key)) {
      List<String> list = new ArrayList<>();
      for (String part : value.split(",")) {
        if (!part.trim().isEmpty()) {
          list.add(part.trim());
        }
      }
      values.put(key, list);
    } else {
      values.put(key, value);
    }
  }
}
