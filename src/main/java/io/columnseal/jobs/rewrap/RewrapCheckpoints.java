package io.columnseal.jobs.rewrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rewrap's finished ReEncrypt results, kept under
 * {@code <manifest>/_rewrap/<first 16 hex of SHA-256(target key ARN)>/batch-<run>-<n>.json} so
 * a run that was stopped can be finished without asking KMS again. Wrapped keys only, never
 * plaintext. Each file is written whole under a hidden name, then renamed, and carries a
 * SHA-256 over its entries: a file cut short or damaged is skipped (its DEKs are simply
 * ReEncrypted again), never half-used. Deleted once the rewrap commits.
 *
 * <p>Layout of a file (JSON): {@code format} = {@value #FORMAT}, {@code formatVersion} = 1,
 * {@code datasetId}, {@code runId}, {@code toKeyArn}, {@code entries} (each {@code id},
 * {@code fromKeyArn}, {@code sourceSha256} (hex), {@code toKeyArn}, {@code wrappedKey}
 * (base64)), and {@code entriesSha256}: hex SHA-256 of the UTF-8 lines
 * {@code id|fromKeyArn|sourceSha256|toKeyArn|wrappedKey\n}, one per entry in file order.
 */
final class RewrapCheckpoints {
  static final String DIR_NAME = "_rewrap";
  static final String FORMAT = "columnseal-rewrap-checkpoint";
  private static final Logger LOG = LoggerFactory.getLogger(RewrapCheckpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  private final FileSystem fs;
  private final Path dir;
  private final String datasetId;
  private final String targetArn;
  private final String runId;
  private final AtomicInteger written = new AtomicInteger();

  /** What {@link #load()} found. */
  static final class Loaded {
    final Map<DekId, RewrapEntry> entries = new HashMap<>();
    int files;
    int skippedFiles;
  }

  RewrapCheckpoints(Configuration conf, Path manifestDir, String datasetId, String targetArn, String runId) {
    this.dir = new Path(new Path(manifestDir, DIR_NAME), targetDirName(targetArn));
    this.datasetId = datasetId;
    this.targetArn = targetArn;
    this.runId = runId;
    try {
      this.fs = dir.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + dir, e);
    }
  }

  static String targetDirName(String targetArn) {
    return HEX.formatHex(RewrapEntry.sha256(targetArn.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
  }

  Path dir() {
    return dir;
  }

  /** Every readable entry of earlier runs for this dataset and target; damaged files are skipped with a warning. */
  Loaded load() {
    Loaded out = new Loaded();
    FileStatus[] files;
    try {
      if (!fs.exists(dir)) {
        return out;
      }
      files = fs.listStatus(dir, p -> p.getName().startsWith("batch-") && p.getName().endsWith(".json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the rewrap checkpoints in " + dir, e);
    }
    for (FileStatus f : files) {
      try (InputStream in = fs.open(f.getPath())) {
        List<RewrapEntry> entries = parse(JSON.readTree(in), f.getPath());
        entries.forEach(e -> out.entries.put(e.id, e));
        out.files++;
      } catch (IOException | RuntimeException e) {
        out.skippedFiles++;
        LOG.warn("skipping rewrap checkpoint {}: {} (its DEKs will be ReEncrypted again)", f.getPath(),
            e instanceof IOException ? e.getClass().getSimpleName() : e.getMessage());
      }
    }
    return out;
  }

  /** Writes one batch as the next file of this run. */
  void write(List<RewrapEntry> batch) {
    if (batch.isEmpty()) {
      return;
    }
    String name = String.format("batch-%s-%06d.json", runId, written.incrementAndGet());
    Path target = new Path(dir, name);
    Path staging = new Path(dir, "." + name + ".tmp");
    try {
      try (OutputStream out = fs.create(staging, true)) {
        out.write(JSON.writeValueAsBytes(encode(batch)));
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("rename of " + staging + " to " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write rewrap checkpoint " + target, e);
    }
  }

  /** Deletes this target's checkpoints, and the {@code _rewrap} folder when nothing else is left in it. */
  void delete() {
    try {
      fs.delete(dir, true);
      Path parent = dir.getParent();
      if (fs.exists(parent) && fs.listStatus(parent).length == 0) {
        fs.delete(parent, false);
      }
    } catch (IOException e) {
      LOG.warn("could not delete the rewrap checkpoints in {}: {}; they are no longer needed", dir, e.toString());
    }
  }

  private ObjectNode encode(List<RewrapEntry> batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", 1);
    root.put("datasetId", datasetId);
    root.put("runId", runId);
    root.put("toKeyArn", targetArn);
    ArrayNode entries = root.putArray("entries");
    for (RewrapEntry e : batch) {
      ObjectNode n = entries.addObject();
      n.put("id", e.id.hex());
      n.put("fromKeyArn", e.fromKeyArn);
      n.put("sourceSha256", HEX.formatHex(e.sourceSha256));
      n.put("toKeyArn", e.toKeyArn);
      n.put("wrappedKey", Base64.getEncoder().encodeToString(e.newBlob));
    }
    root.put("entriesSha256", digest(entries));
    return root;
  }

  private List<RewrapEntry> parse(JsonNode root, Path file) {
    if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("formatVersion").asInt() != 1) {
      throw new IllegalArgumentException("not a version 1 rewrap checkpoint");
    }
    if (!datasetId.equals(root.path("datasetId").asText()) || !targetArn.equals(root.path("toKeyArn").asText())) {
      throw new IllegalArgumentException("written for dataset " + root.path("datasetId").asText() + " and key "
          + root.path("toKeyArn").asText() + ", not for this rewrap");
    }
    JsonNode entries = root.path("entries");
    if (!entries.isArray() || !digest(entries).equals(root.path("entriesSha256").asText())) {
      throw new IllegalArgumentException("its entries do not match their SHA-256 (damaged or cut short)");
    }
    List<RewrapEntry> out = new java.util.ArrayList<>(entries.size());
    for (JsonNode n : entries) {
      RewrapEntry e = new RewrapEntry(DekId.parse(n.path("id").asText()), n.path("fromKeyArn").asText(),
          HEX.parseHex(n.path("sourceSha256").asText()), n.path("toKeyArn").asText(),
          Base64.getDecoder().decode(n.path("wrappedKey").asText()));
      if (!e.toKeyArn.equals(targetArn)) {
        throw new IllegalArgumentException("entry " + e.id + " went to " + e.toKeyArn + ", not " + targetArn);
      }
      out.add(e);
    }
    return out;
  }

  private static String digest(JsonNode entries) {
    StringBuilder lines = new StringBuilder();
    for (JsonNode n : entries) {
      for (String field : new String[] {"id", "fromKeyArn", "sourceSha256", "toKeyArn"}) {
        lines.append(n.path(field).asText()).append('|');
      }
      lines.append(n.path("wrappedKey").asText()).append('\n');
    }
    return HEX.formatHex(RewrapEntry.sha256(lines.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
