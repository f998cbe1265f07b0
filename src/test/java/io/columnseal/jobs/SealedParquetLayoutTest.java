package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted columns are written as data page v2, DELTA_BYTE_ARRAY, no dictionary
 * (docs/FORMAT.md section 2.1); clear columns keep their dictionary; and a reader other than
 * Spark's (parquet-mr's example Group reader) reads every cell whole.
 */
class SealedParquetLayoutTest {
  @TempDir
  Path tmp;

  @Test
  void optionsNameWriterVersionAndEachEncryptedColumn() {
    assertEquals(Map.of("parquet.writer.version", "PARQUET_2_0", "parquet.enable.dictionary#cvv", "false",
        "parquet.enable.dictionary#card_number", "false"), SealedParquetOptions.forColumns(List.of("cvv", "card_number")));
  }

  @Test
  void encryptedColumnsAreDeltaByteArrayAndReadableByParquetMr() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path enc = tmp.resolve("enc");
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc.toString()).build());

    List<Path> files = dataFiles(enc);
    assertFalse(files.isEmpty());
    long rows = 0;
    long cells = 0;
    for (Path f : files) {
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(f.toString());
      try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
        for (BlockMetaData b : r.getFooter().getBlocks()) {
          for (ColumnChunkMetaData c : b.getColumns()) {
            Set<Encoding> e = c.getEncodings();
            String name = c.getPath().toDotString();
            if (JobTestKit.SENSITIVE.contains(name)) {
              assertTrue(e.contains(Encoding.DELTA_BYTE_ARRAY), name + " " + e);
              assertFalse(e.stream().anyMatch(Encoding::usesDictionary), name + " " + e);
            } else if (name.equals("card_type")) {
              assertTrue(e.contains(Encoding.RLE_DICTIONARY), name + " " + e);
            }
          }
        }
      }
      try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), file).withConf(new Configuration())
          .build()) {
        for (Group g = r.read(); g != null; g = r.read()) {
          rows++;
          for (String c : JobTestKit.SENSITIVE) {
            if (g.getFieldRepetitionCount(c) > 0) {
              byte[] cell = g.getBinary(c, 0).getBytes();
              assertEquals(1, cell[0], "cell version of " + c);
              assertTrue(cell.length >= 29, "cell length of " + c);
              cells++;
            }
          }
        }
      }
    }
    assertEquals(1000, rows);
    assertEquals(JobTestKit.sampleInput().selectExpr("count(card_number) + count(cardholder_name) + count(cvv)"
        + " + count(street_address)").first().getLong(0), cells);
  }

  private static List<Path> dataFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_columnseal"))
          .toList();
    }
  }
}
