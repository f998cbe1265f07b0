package io.columnseal.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The MAC of a pending record written with manifest.macKey (docs/FORMAT.md 5.9): the side file
 * {@code _pending/<run>.mac} beside {@code <run>.json}, in the form of a checkpoint's (5.10). A
 * recovery with the key commits a record only if its side file verifies under the configured key,
 * so a record planted or edited by someone who cannot call GenerateMac is never committed.
 */
public final class PendingMac {
  private static final String DOMAIN = "columnseal pending mac v1\n";

  private PendingMac() {}

  /**
   * ASCII {@code "columnseal pending mac v1\n" + datasetId + "\n" + runId + "\n" + sha256hex},
   * the SHA-256 in lowercase hex of the record's exact bytes.
   */
  public static byte[] message(String datasetId, String runId, byte[] record) {
    return (DOMAIN + datasetId + "\n" + runId + "\n" + sha256Hex(record)).getBytes(StandardCharsets.UTF_8);
  }

  /** The side file of the record {@code <run>.json}: {@code <run>.mac} in the same folder. */
  public static Path sideFile(Path record) {
    String n = record.getName();
    return new Path(record.getParent(), (n.endsWith(".json") ? n.substring(0, n.length() - 5) : n) + ".mac");
  }

  /** The side file's bytes for {@code record}: one GenerateMac call. */
  public static byte[] sign(ManifestMacKey key, String datasetId, String runId, byte[] record) {
    return CheckpointMac.encode(key.sign(message(datasetId, runId, record)));
  }

  /**
   * Why {@code sideFile} does not authenticate {@code record} under {@code key}, or null when it
   * does (one VerifyMac call when the side file is in its documented form).
   */
  public static String problem(ManifestMacKey key, FileSystem fs, Path sideFile, String datasetId, String runId,
      byte[] record) throws IOException {
    Optional<CommitMac> mac = CheckpointMac.read(fs, sideFile);
    if (mac.isEmpty()) {
      return "it has no MAC side file " + sideFile.getName() + " in the documented form";
    }
    return key.verifies(message(datasetId, runId, record), mac.get()) ? null
        : "its MAC (" + sideFile.getName() + ") does not verify under manifest.macKey " + key.keyId();
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
