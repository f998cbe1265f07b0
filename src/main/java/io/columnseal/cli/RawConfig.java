package io.columnseal.cli;

import io.columnseal.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A job spec as dotted keys: the YAML file flattened ({@code input: {path: x}} becomes
 * {@code input.path}), then each {@code --set key=value} on top. Values are strings or lists of
 * strings. The YAML is read as a node tree, not into a map, so that nothing can silently replace
 * anything: a key given twice (at any level, or once nested and once dotted) is refused with both
 * line numbers, and a list or mapping where the other is expected says so. Values are checked by
 * {@link ConfigKeys}.
 */
final class RawConfig {
  private final TreeMap<String, Object> values = new TreeMap<>();
  /** Where each dotted key of the file was given: its line, for the duplicate-key message. */
  private final Map<String, Integer> lines = new HashMap<>();
  private String file;

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

  private void loadYaml(Path path) {
    file = "--config " + path;
    Node root;
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // found below, with both lines
      root = new Yaml(options).compose(in);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Cannot read " + file + ": no such file");
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
      throw new ConfigException("Cannot read " + file + ": not valid YAML" + where + ": " + firstLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException("Cannot read " + file + ": not valid YAML (" + e.getClass().getSimpleName() + ")");
    } catch (IOException e) {
      throw new ConfigException("Cannot read " + file + ": " + e.getClass().getSimpleName());
    }
    if (root == null || isNull(root)) {
      return;
    }
    if (!(root instanceof MappingNode)) {
      throw new ConfigException("Cannot read " + file + ": the top level must be a mapping of keys, not "
          + shape(root));
    }
    flatten("", (MappingNode) root);
  }

  private void flatten(String prefix, MappingNode map) {
    Map<String, Integer> seen = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      int line = line(t.getKeyNode());
      if (!(t.getKeyNode() instanceof ScalarNode) || t.getKeyNode().getTag().equals(Tag.MERGE)) {
        throw new ConfigException("Cannot read " + file + ": line " + line + ": keys must be plain names"
            + " (no merge keys, lists or mappings as keys)");
      }
      String name = ((ScalarNode) t.getKeyNode()).getValue();
      Integer first = seen.putIfAbsent(name, line);
      if (first != null) {
        throw twice(prefix + name, first, line);
      }
      String key = prefix + name;
      Node v = t.getValueNode();
      if (v instanceof MappingNode) {
        if (ConfigKeys.KEYS.containsKey(key) || underOpenPrefix(key)) {
          throw new ConfigException("Cannot set " + key + " (" + where(line) + "): "
              + (ConfigKeys.isList(key) ? "a list" : "a single value") + " is expected, not a mapping");
        }
        flatten(key + ".", (MappingNode) v);
      } else if (ConfigKeys.isMapPrefix(key) && !isNull(v)) {
        throw new ConfigException("Cannot set " + key + " (" + where(line) + "): a mapping of keys ("
            + ConfigKeys.under(key) + ") is expected, not " + shape(v));
      } else if (v instanceof SequenceNode) {
        List<Object> list = new ArrayList<>();
        for (Node o : ((SequenceNode) v).getValue()) {
          if (o instanceof MappingNode && key.equals("encrypt.columns")) {
            list.add(columnEntry(key, (MappingNode) o));
            continue;
          }
          if (!(o instanceof ScalarNode)) {
            throw new ConfigException("Cannot set " + key + " (" + where(line) + "): a list of plain values is expected");
          }
          list.add(isNull(o) ? "" : ((ScalarNode) o).getValue());
        }
        put(key, list, line);
      } else {
        put(key, isNull(v) ? null : ((ScalarNode) v).getValue(), line);
      }
    }
  }

  /**
   * An entry {@code {name: c, protection: p, key: k, ...}} of encrypt.columns: plain values, each
   * member once (ConfigKeys and the settings check the members).
   */
  private Map<String, String> columnEntry(String key, MappingNode entry) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (NodeTuple t : entry.getValue()) {
      int line = line(t.getKeyNode());
      if (!(t.getKeyNode() instanceof ScalarNode) || !(t.getValueNode() instanceof ScalarNode)) {
        throw new ConfigException("Cannot set " + key + " (" + where(line) + "): an entry's members must be plain"
            + " values, as in {name: card_number, protection: mask}");
      }
      String name = ((ScalarNode) t.getKeyNode()).getValue();
      if (out.containsKey(name)) {
        throw new ConfigException("Cannot set " + key + " (" + where(line) + "): member " + name
            + " is given twice in one entry; give it once");
      }
      out.put(name, isNull(t.getValueNode()) ? null : ((ScalarNode) t.getValueNode()).getValue());
    }
    return out;
  }

  /** One dotted key, given once: {@code input: {path: a}} and {@code input.path: b} are the same key. */
  private void put(String key, Object value, int line) {
    Integer first = lines.putIfAbsent(key, line);
    if (first != null) {
      throw twice(key, first, line);
    }
    values.put(key, value);
  }

  private ConfigException twice(String key, int first, int second) {
    return new ConfigException("Cannot read " + file + ": key " + key + " is given twice, at lines " + first
        + " and " + second + "; give it once");
  }

  private String where(int line) {
    return file + " line " + line;
  }

  private static boolean underOpenPrefix(String key) {
    return ConfigKeys.OPEN_PREFIXES.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
  }

  private static String shape(Node n) {
    if (n instanceof SequenceNode) {
      return "a list";
    }
    return n instanceof MappingNode ? "a mapping" : "a single value";
  }

  private static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  private static String firstLine(String s) {
    return s == null ? "syntax error" : s.split("\n")[0];
  }

  /** {@code key=value}; list keys take comma-separated values. The last --set of a key wins. */
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
        list.add(part.trim());
      }
      values.put(key, list);
    } else {
      values.put(key, value);
    }
  }
}
