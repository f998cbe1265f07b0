package io.columnseal.jobs.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.columnseal.jobs.JobTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input fingerprints, docs/FORMAT.md 5.2.1. */
class InputFilesTest {
  @TempDir
  Path tmp;

  /** The FORMAT.md example, computed with Python's hashlib. */
  @Test
  void fingerprintMatchesTheDocumentedExample() {
    assertEquals("fe8435737e38a1afd62068d32349b0a0", InputFiles.fingerprint("s3a://landing/cards/2026-11-22/part-0001.csv",
        1048576, 1795312800000L, "\"9b2cf535f27731c974343645a3985328\""));
    assertEquals(32, InputFiles.fingerprint("file:/x", 0, 0, null).length());
  }

  @Test
  void aLocalCsvInAFolderWithASpaceIsFingerprintedByItsQualifiedPathSizeAndModificationTime() throws Exception {
    Files.createDirectories(tmp.resolve("landing zone"));
    Path csv = Files.writeString(tmp.resolve("landing zone/in.csv"), "a,b\n1,2\n");
    Files.setLastModifiedTime(csv, java.nio.file.attribute.FileTime.fromMillis(1795312800000L));
    Map<String, String> files = InputFiles.of(JobTestKit.spark().read().option("header", "true").csv(csv.toString()),
        JobTestKit.spark().sparkContext().hadoopConfiguration());
    String qualified = "file:" + csv.toAbsolutePath();
    assertEquals(Map.of(InputFiles.fingerprint(qualified, 8, 1795312800000L, null), qualified), files);
  }
}
