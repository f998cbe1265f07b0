package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/** Edits checkpoint files the way a careless tool would: consistent bytes, wrong state. */
public final class CheckpointFiles {
  private CheckpointFiles() {}

  /** Adds one to the cell count of the checkpoint's first DEK and rewrites a matching SHA-256 line. */
  public static void addOneCell(Path file) throws IOException {
    Checkpoint cp;
    try (InputStream in = Files.newInputStream(file)) {
      cp = CheckpointCodec.decode(in, file.toString());
    }
    TreeMap<DekId, DekRecord> deks = new TreeMap<>(cp.deks);
    DekRecord first = deks.firstEntry().getValue();
    deks.put(first.id(), first.toBuilder().cells(first.cells() + 1).build());
    Files.write(file, CheckpointCodec.encode(new Checkpoint(cp.datasetId, cp.version, cp.digest, cp.schema,
        cp.cellEncoding, deks, cp.addedIn, cp.liveFiles, cp.boundFiles, cp.inputCommits)));
  }
}
