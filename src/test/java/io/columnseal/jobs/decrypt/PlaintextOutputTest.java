package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.manifest.Commit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where decrypt may write plaintext (never in or over the dataset, its manifest or its
 * original input; paths compared qualified) and with what modes (owner-only on local disk).
 */
class PlaintextOutputTest {
  @TempDir
  static Path shared;
  private static JobTestKit kit;
  private static String enc;

  @TempDir
  Path tmp;

  @BeforeAll
  static void encryptOnce() {
    kit = new JobTestKit(shared);
    enc = shared.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
  }

  @Test
  void decryptedFoldersAre0700AndFiles0600OnLocalDisk() throws IOException {
    for (String format : List.of("parquet", "csv")) {
      Path out = tmp.resolve("plain-" + format);
      DecryptJob.run(JobTestKit.spark(), new DecryptSettings(enc, null, out.toString(), format, List.of(), kit.keys, false));
      assertModes(out, true);
    }
  }

  @Test
  void overwritingAnExistingFolderWritesOwnerOnlyFilesAndKeepsTheFolder() throws IOException {
    Path out = Files.createDirectory(tmp.resolve("existing"));
    Files.writeString(out.resolve("old.txt"), "old");
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-x---"));
    DecryptJob.run(JobTestKit.spark(), kit.decryptTo(enc, out.toString(), "parquet"));
    assertFalse(Files.exists(out.resolve("old.txt")), "overwrite replaced what was there");
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)),
        "a folder that existed keeps its own mode");
    assertModes(out, false);
    assertEquals(JobTestKit.sorted(JobTestKit.sampleInput()), JobTestKit.sorted(JobTestKit.spark().read().parquet(out.toString())));
  }

  @Test
  void outputsInOrOverTheDatasetOrItsInputAreRefusedWithQualifiedPaths() {
    Configuration conf = new Configuration();
    List<Commit> history = BadInputTest.manifest(enc).read().orElseThrow().history();
    org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path(enc, "_columnseal");
    String cwd = Path.of("").toAbsolutePath().toString();
    String[][] refused = {
        {enc, "is the dataset"},
        {enc + "/", "is the dataset"},
        {"file:" + enc + "/../enc", "is the dataset"},
        {enc + "/plain", "is inside the dataset"},
        {shared.toString(), "holds the dataset"},
        // The sample's input.path was relative: it is compared as this folder resolves it.
        {JobTestKit.SAMPLE_CSV, "is the dataset's original input"},
        {cwd + "/" + JobTestKit.SAMPLE_CSV + "/x", "is inside the dataset's original input"},
        {cwd + "/data-samples", "holds the dataset's original input"},
    };
    for (String[] c : refused) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> OutputPlacement.check(conf, c[0], enc, manifest, history), c[0]);
      assertTrue(e.getMessage().startsWith("--output " + c[0] + " " + c[1]), e.getMessage());
    }
    // Beside the dataset, or a sibling whose name merely starts with the dataset's: allowed.
    OutputPlacement.check(conf, enc + "-plain", enc, manifest, history);
    OutputPlacement.check(conf, shared.resolve("plain").toString(), enc, manifest, history);
    // A manifest kept elsewhere (manifest.path) is protected too.
    String elsewhere = shared.resolve("manifests/enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> OutputPlacement.check(conf, elsewhere + "/x", enc,
        new org.apache.hadoop.fs.Path(elsewhere), history));
    assertTrue(e.getMessage().contains("is inside the dataset's manifest folder " + elsewhere), e.getMessage());
  }

  @Test
  void s3PathsCompareWithoutTrailingSlashesOrBucketCase() {
    // Qualifying an s3a path talks to no server: an endpoint nobody answers on is enough.
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:9");
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", "test");
    conf.set("fs.s3a.secret.key", "test");
    conf.setInt("fs.s3a.bucket.probe", 0);
    assertEquals(OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://bucket/x")),
        OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://bucket/x/")));
    java.net.URI dataset = OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://bucket/x/"));
    assertTrue(OutputPlacement.inside(OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://bucket/x/y")), dataset));
    assertFalse(OutputPlacement.inside(OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://bucket/xy")), dataset));
    assertFalse(OutputPlacement.inside(OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("s3a://other/x/y")), dataset));
    assertFalse(OutputPlacement.inside(OutputPlacement.qualified(conf, new org.apache.hadoop.fs.Path("file:/x/y")), dataset));
  }

  @Test
  void aGlobInputStandsForTheFolderBeforeItsFirstWildcard() {
    assertEquals("s3://landing/cards/2026-11-22", OutputPlacement.globRoot("s3://landing/cards/2026-11-22/*.csv"));
    assertEquals("/in", OutputPlacement.globRoot("/in/day=*/x.csv"));
    assertEquals("/in/a.csv", OutputPlacement.globRoot("/in/a.csv"));
  }

  /** Every folder under {@code out} 0700 (and {@code out} itself if {@code withRoot}), every file 0600, .crc included. */
  private static void assertModes(Path out, boolean withRoot) throws IOException {
    int files = 0;
    try (Stream<Path> all = Files.walk(out)) {
      for (Path p : all.toList()) {
        if (p.equals(out) && !withRoot) {
          continue;
        }
        String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        files += Files.isDirectory(p) ? 0 : 1;
      }
    }
    assertTrue(files >= 3, "part files, their checksums and _SUCCESS were checked: " + files);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }
}
