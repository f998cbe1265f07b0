package io.columnseal.manifest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code checkpoints/} directory of a manifest and its {@code _last_checkpoint} pointer
 * (docs/FORMAT.md 5.10). A checkpoint only saves reading: any that fails to load is skipped with
 * a warning and the reader falls back to an older one, or to commit 1.
 */
final class Checkpoints {
  static final String DIR = "checkpoints";
  static final String POINTER = "_last_checkpoint";
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final Pattern NAME = Pattern.compile("([0-9]{20})\\.json");
  private static final Pattern POINTER_JSON =
      Pattern.compile("\\{\"version\":([0-9]{1,19}),\"file\":\"checkpoints/([0-9]{20})\\.json\"}\n");

  private final FileSystem fs;
  private final Path dir;
  private final Path pointer;

  Checkpoints(FileSystem fs, Path manifestDir) {
    this.fs = fs;
    this.dir = new Path(manifestDir, DIR);
    this.pointer = new Path(manifestDir, POINTER);
  }

  Path path(long version) {
    return new Path(dir, String.format(Locale.ROOT, "%020d.json", version));
  }

  /** Checkpoint files by version; empty if there is none. */
  TreeMap<Long, Path> list() {
    TreeMap<Long, Path> out = new TreeMap<>();
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return out;
    } catch (IOException e) {
      throw new ManifestStorageException("cannot list the manifest checkpoints " + dir, e);
    }
    for (FileStatus st : statuses) {
      Matcher m = NAME.matcher(st.getPath().getName());
      if (st.isFile() && m.matches()) {
        out.put(Long.parseLong(m.group(1)), st.getPath());
      }
    }
    return out;
  }

  /**
   * Writes the checkpoint (create-if-absent: an existing one of that version is left as it is)
   * and points {@code _last_checkpoint} at it.
   */
  void write(Checkpoint cp, AtomicCreate create) throws IOException {
    write(cp, create, null);
  }

  /**
   * As {@link #write(Checkpoint, AtomicCreate)}; with {@code macKey}, a checkpoint this call
   * created also gets its MAC side file (one GenerateMac). One it did not create is not MAC'd: its
   * bytes are not this writer's.
   */
  void write(Checkpoint cp, AtomicCreate create, ManifestMacKey macKey) throws IOException {
    Path target = path(cp.version);
    byte[] bytes = CheckpointCodec.encode(cp);
    boolean created = create.createIfAbsent(fs, target, bytes);
    if (created && macKey != null) {
      String sha = new String(bytes, 0, 64, StandardCharsets.US_ASCII);
      CommitMac mac = macKey.sign(CheckpointMac.message(cp.datasetId, cp.version, cp.digest, sha));
      create.createIfAbsent(fs, CheckpointMac.path(dir, cp.version), CheckpointMac.encode(mac));
    }
    byte[] hint = ("{\"version\":" + cp.version + ",\"file\":\"" + DIR + "/" + target.getName() + "\"}\n")
        .getBytes(StandardCharsets.UTF_8);
    try (FSDataOutputStream out = fs.create(pointer, true)) {
      out.write(hint);
    }
  }

  /** The version the pointer names, if it is readable. */
  Optional<Long> pointed() {
    try (FSDataInputStream in = fs.open(pointer)) {
      Matcher m = POINTER_JSON.matcher(new String(in.readNBytes(200), StandardCharsets.UTF_8));
      if (m.matches() && m.group(1).equals(String.valueOf(Long.parseLong(m.group(2))))) {
        return Optional.of(Long.parseLong(m.group(1)));
      }
      LOG.warn("Ignoring the checkpoint pointer {}: not in the documented form", pointer);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("Ignoring the checkpoint pointer {}: cannot read it ({})", pointer, e.getClass().getSimpleName());
    }
    return Optional.empty();
  }

  /**
   * Versions to try, newest first, all at most {@code upTo}: the pointer's if it names an
   * existing file, then the listing (the pointer is a hint and may be stale or missing).
   */
  List<Long> candidates(long upTo) {
    List<Long> out = new ArrayList<>();
    Optional<Long> hinted = pointed().filter(v -> v <= upTo);
    TreeMap<Long, Path> listed = list();
    // The pointer saves nothing over the listing here, but a newer listed file wins over a stale hint.
    hinted.filter(listed::containsKey).ifPresent(out::add);
    for (long v : listed.headMap(upTo, true).descendingKeySet()) {
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    out.sort((a, b) -> Long.compare(b, a));
    return out;
  }

  /**
   * As {@link #read(long)}; with {@code macKey}, only a checkpoint whose MAC side file verifies
   * under the configured key (one VerifyMac).
   *
   * @throws ManifestTamperedException if it has no MAC or the MAC does not verify
   */
  Checkpoint read(long version, ManifestMacKey macKey) {
    if (macKey == null) {
      return read(version);
    }
    Path file = path(version);
    try {
      Optional<CommitMac> mac = CheckpointMac.read(fs, CheckpointMac.path(dir, version));
      if (mac.isEmpty()) {
        throw new ManifestTamperedException(file.toString(), "carries no MAC (manifest.macKey is set)");
      }
      CheckpointCodec.Read r;
      try (FSDataInputStream in = fs.open(file)) {
        r = CheckpointCodec.decodeWithSha(in, file.toString());
      }
      Checkpoint cp = r.checkpoint;
      if (cp.version != version) {
        throw new ManifestCorruptException(file.toString(), "holds version " + cp.version);
      }
      if (!macKey.verifies(CheckpointMac.message(cp.datasetId, cp.version, cp.digest, r.sha256), mac.get())) {
        throw new ManifestTamperedException(file.toString(), "its MAC does not verify under manifest.macKey " + macKey.keyId());
      }
      return cp;
    } catch (IOException e) {
      throw new ManifestStorageException("cannot read manifest checkpoint " + file, e);
    }
  }

  /** @throws ManifestCorruptException if the file fails its own checks */
  Checkpoint read(long version) {
    Path file = path(version);
    try (FSDataInputStream in = fs.open(file)) {
      Checkpoint cp = CheckpointCodec.decode(in, file.toString());
      if (cp.version != version) {
        throw new ManifestCorruptException(file.toString(), "holds version " + cp.version);
      }
      return cp;
    } catch (IOException e) {
      throw new ManifestStorageException("cannot read manifest checkpoint " + file, e);
    }
  }

  static void warnSkipped(long version, RuntimeException why) {
    LOG.warn("Skipping manifest checkpoint {}: {}; reading the commits instead", version, why.getMessage());
  }
}
