package io.columnseal.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a commit 1 as this build writes it into what a build before format version 2 wrote. */
public final class LegacyCommits {
  private LegacyCommits() {}

  /** Drops {@code boundFiles}, {@code cellEncoding} and {@code inputs}, sets format version 1 and seals it again. */
  public static void rewriteFirstAsVersion1(Path commitFile) throws IOException {
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(commitFile));
    tree.remove(CommitCodec.BOUND_FILES);
    tree.remove(CommitCodec.CELL_ENCODING);
    tree.remove(CommitCodec.INPUTS);
    tree.remove(CommitCodec.DIGEST);
    tree.put(CommitCodec.FORMAT_VERSION, 1);
    tree.put(CommitCodec.DIGEST, CanonicalJson.sha256Hex(CanonicalJson.write(tree)));
    Files.write(commitFile, CanonicalJson.write(tree));
  }

  /** Drops {@code boundFiles}, sets format version 2 and seals it again: a commit of a build before format 3. */
  public static void rewriteAsVersion2(Path commitFile) throws IOException {
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(commitFile));
    tree.remove(CommitCodec.BOUND_FILES);
    tree.remove(CommitCodec.DIGEST);
    tree.put(CommitCodec.FORMAT_VERSION, 2);
    tree.put(CommitCodec.DIGEST, CanonicalJson.sha256Hex(CanonicalJson.write(tree)));
    Files.write(commitFile, CanonicalJson.write(tree));
  }
}
