package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.manifest.LegacyCommits;
import io.columnseal.manifest.ManifestState;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One dataset, one cell encoding (issue 10, item 6). */
class CellEncodingGuardTest {
  @TempDir
  Path tmp;

  @Test
  void anAppendInAnotherEncodingIsRefusedBeforeAnyWorkNamingBoth() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).build());
    ManifestState before = OutputModesTest.state(enc);
    assertEquals(Optional.of("binary"), before.cellEncoding());
    List<String> files = DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc));

    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(enc).mode(OutputMode.APPEND).allowRepeat(true).encoding(CellEncoding.BASE64).build()));
    assertEquals("Cannot set encrypt.cellEncoding to base64: dataset cards-test at " + enc + " stores its cells as "
        + "binary and one dataset has one cell encoding; set encrypt.cellEncoding=binary or write to another "
        + "output.path", e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version());
    assertEquals(files, DatasetFiles.dataFiles(new Configuration(), new org.apache.hadoop.fs.Path(enc)));
  }

  @Test
  void aManifestWrittenBeforeTheEncodingWasRecordedIsJudgedByItsFilesParquetType() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc).encoding(CellEncoding.BASE64).build());
    LegacyCommits.rewriteFirstAsVersion1(Path.of(enc, "_columnseal", "log", "00000000000000000001.json"));
    ManifestState legacy = OutputModesTest.state(enc);
    assertEquals(1, legacy.lastCommit().formatVersion());
    assertEquals(Optional.empty(), legacy.cellEncoding());

    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(enc).mode(OutputMode.APPEND).build()));
    assertTrue(e.getMessage().startsWith("Cannot set encrypt.cellEncoding to binary: dataset cards-test at " + enc
        + " stores its cells as base64"), e.getMessage());
    assertEquals(1, OutputModesTest.state(enc).version());

    // The old commit recorded no inputs, so the same file again is not taken for a repeat.
    RunSummary same = EncryptJob.run(JobTestKit.spark(),
        kit.sampleCsv(enc).mode(OutputMode.APPEND).encoding(CellEncoding.BASE64).build());
    assertEquals(2, same.manifestVersion);
    assertEquals(Optional.of("base64"), OutputModesTest.state(enc).cellEncoding());
    Dataset<Row> sample = JobTestKit.sampleInput();
    assertEquals(JobTestKit.sorted(sample.union(sample)),
        JobTestKit.sorted(EncryptDecryptRoundTripTest.decrypt(kit, enc, "parquet")));
  }
}
