package io.columnseal.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The task attempts of one application, read from its Spark event log (JSON lines, one
 * listener event each; spark.eventLog.enabled=true, uncompressed).
 */
final class EventLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One task attempt: a SparkListenerTaskStart or SparkListenerTaskEnd event. */
  record Attempt(String event, int stage, int index, int attempt, boolean speculative, String host,
      String executor, String endReason) {
    @Override
    public String toString() {
      return "stage " + stage + " task " + index + "." + attempt + (speculative ? " (speculative)" : "") + " on "
          + host + " executor " + executor + (endReason == null ? " started" : " ended: " + endReason);
    }
  }

  final Path file;
  final String text;
  final List<Attempt> starts = new ArrayList<>();
  final List<Attempt> ends = new ArrayList<>();

  private EventLog(Path file, String text) {
    this.file = file;
    this.text = text;
  }

  /** Reads the one application log in {@code dir}. */
  static EventLog readOnly(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs = files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList();
    }
    if (logs.size() != 1) {
      throw new IllegalStateException("expected one event log in " + dir + ", found " + logs);
    }
    Path file = logs.get(0);
    EventLog log = new EventLog(file, Files.readString(file, StandardCharsets.UTF_8));
    for (String line : log.text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode e = JSON.readTree(line);
      String type = e.path("Event").asText();
      if (type.equals("SparkListenerTaskStart")) {
        log.starts.add(attempt(type, e, null));
      } else if (type.equals("SparkListenerTaskEnd")) {
        JsonNode reason = e.path("Task End Reason");
        String why = reason.path("Reason").asText();
        if (reason.has("Kill Reason")) {
          why += " (" + reason.path("Kill Reason").asText() + ")";
        }
        log.ends.add(attempt(type, e, why));
      }
    }
    return log;
  }

  /** Every attempt that started, with how it ended (a killed attempt may end after the log closed). */
  List<String> summary() {
    List<String> lines = new ArrayList<>();
    for (Attempt s : starts) {
      Attempt end = ends.stream().filter(e -> e.stage() == s.stage() && e.index() == s.index()
          && e.attempt() == s.attempt()).findFirst().orElse(null);
      lines.add((end != null ? end : s).toString() + (end == null ? " (no end event before the log closed)" : ""));
    }
    return lines;
  }

  List<Attempt> speculativeStarts() {
    return starts.stream().filter(Attempt::speculative).toList();
  }

  private static Attempt attempt(String type, JsonNode e, String endReason) {
    JsonNode t = e.path("Task Info");
    return new Attempt(type, e.path("Stage ID").asInt(), t.path("Index").asInt(), t.path("Attempt").asInt(),
        t.path("Speculative").asBoolean(), t.path("Host").asText(), t.path("Executor ID").asText(), endReason);
  }
}
