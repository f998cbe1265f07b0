package io.columnseal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The MAC of a checkpoint written with manifest.macKey (docs/FORMAT.md 5.10): the side file
 * {@code checkpoints/<N>.mac} beside {@code <N>.json}. A reader with the key uses a checkpoint only
 * if its side file verifies under the configured key; without it, the checkpoint is skipped.
 */
final class CheckpointMac {
  private static final String DOMAIN = "columnseal checkpoint mac v1\n";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckpointMac() {}

  /**
   * ASCII {@code "columnseal checkpoint mac v1\n" + datasetId + "\n" + N + "\n" + digest of commit
   * N + "\n" + the checkpoint's SHA-256 line}: binds the state's bytes to the commit chain.
   */
  static byte[] message(String datasetId, long version, String commitDigest, String checkpointSha256) {
    return (DOMAIN + datasetId + "\n" + version + "\n" + commitDigest + "\n" + checkpointSha256)
        .getBytes(StandardCharsets.UTF_8);
  }

  static Path path(Path checkpointsDir, long version) {
    return new Path(checkpointsDir, String.format(Locale.ROOT, "%020d.mac", version));
  }

  /** {@code {"algorithm":"HMAC_SHA_256","keyArn":...,"value":<base64>}} and a newline. */
  static byte[] encode(CommitMac mac) {
    ObjectNode o = JSON.createObjectNode();
    o.put("algorithm", mac.algorithm()).put("keyArn", mac.keyArn())
        .put("value", Base64.getEncoder().encodeToString(mac.value()));
    return (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The side file's MAC, or empty if there is none or it is not in the documented form. */
  static Optional<CommitMac> read(FileSystem fs, Path file) throws IOException {
    try (FSDataInputStream in = fs.open(file)) {
      JsonNode n = JSON.readTree(in.readNBytes(4096));
      if (n == null || !n.isObject() || n.size() != 3 || !CommitMac.ALGORITHM.equals(n.path("algorithm").asText())
          || !n.path("keyArn").isTextual() || !n.path("value").isTextual()) {
        return Optional.empty();
      }
      return Optional.of(new CommitMac(n.get("keyArn").asText(), Base64.getDecoder().decode(n.get("value").asText())));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
