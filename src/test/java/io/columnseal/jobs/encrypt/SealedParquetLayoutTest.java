package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted columns are written without dictionary, as data page v1 PLAIN by default, or as
 * data page v2 DELTA_BYTE_ARRAY with output.parquetPages=v2 (docs/FORMAT.md section 2.1);
 * clear columns keep their dictionary; and a reader other than Spark's (parquet-mr's example
 * Group reader) reads every cell whole.
 */
class SealedParquetLayoutTest {
  @TempDir
  Path tmp;

  @Test
  void optionsNameWriterVersionAndEachEncryptedColumn() {
    assertEquals(Map.of("parquet.writer.version", "PARQUET_1_0", "parquet.enable.dictionary#cvv", "false",
        "parquet.enable.dictionary#card_number", "false"),
        SealedParquetOptions.forColumns(List.of("cvv", "card_number"), ParquetPages.V1));
    assertEquals("PARQUET_2_0", SealedParquetOptions.forColumns(List.of("cvv"), ParquetPages.V2)
        .get("parquet.writer.version"));
  }

  @Test
  void byDefaultEncryptedColumnsArePlainInDataPageV1() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path enc = tmp.resolve("enc");
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc.toString()).build());

    Map<String, Set<String>> pages = pageKinds(enc);
    for (String c : JobTestKit.SENSITIVE) {
      assertEquals(Set.of("DATA_PAGE PLAIN"), pages.get(c), c);
    }
    assertTrue(pages.get("card_type").contains("DICTIONARY_PAGE"), "clear card_type " + pages.get("card_type"));
    assertTrue(pages.get("card_type").stream().allMatch(k -> !k.startsWith("DATA_PAGE_V2")), pages.toString());
    assertEquals(1000, readWithParquetMr(enc));
  }

  @Test
  void withPagesV2EncryptedColumnsAreDeltaByteArrayInDataPageV2() throws IOException {
    JobTestKit kit = new JobTestKit(tmp);
    Path enc = tmp.resolve("enc");
    EncryptJob.run(JobTestKit.spark(), kit.sampleCsv(enc.toString()).parquetPages(ParquetPages.V2).build());

    Map<String, Set<String>> pages = pageKinds(enc);
    for (String c : JobTestKit.SENSITIVE) {
      assertEquals(Set.of("DATA_PAGE_V2 DELTA_BYTE_ARRAY"), pages.get(c), c);
    }
    assertTrue(pages.get("card_type").contains("DICTIONARY_PAGE"), "clear card_type " + pages.get("card_type"));
    assertEquals(1000, readWithParquetMr(enc));
  }

  /**
   * Per column, every page's header type and (data pages) value encoding, read page by page
   * with parquet-mr: "DATA_PAGE PLAIN", "DATA_PAGE_V2 DELTA_BYTE_ARRAY", "DICTIONARY_PAGE".
   */
  private static Map<String, Set<String>> pageKinds(Path root) throws IOException {
    Map<String, Set<String>> kinds = new TreeMap<>();
    List<Path> files = dataFiles(root);
    assertFalse(files.isEmpty());
    for (Path f : files) {
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(f.toString());
      try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
        List<ColumnDescriptor> columns = r.getFooter().getFileMetaData().getSchema().getColumns();
        for (PageReadStore group = r.readNextRowGroup(); group != null; group = r.readNextRowGroup()) {
          for (ColumnDescriptor d : columns) {
            Set<String> k = kinds.computeIfAbsent(String.join(".", d.getPath()), n -> new TreeSet<>());
            PageReader pages = group.getPageReader(d);
            if (pages.readDictionaryPage() != null) {
              k.add("DICTIONARY_PAGE");
            }
            for (DataPage p = pages.readPage(); p != null; p = pages.readPage()) {
              k.add(p instanceof DataPageV1 v1 ? "DATA_PAGE " + v1.getValueEncoding()
                  : "DATA_PAGE_V2 " + ((DataPageV2) p).getDataEncoding());
            }
          }
        }
      }
    }
    return kinds;
  }

  /** Reads every row with parquet-mr's example Group reader and checks each cell's header; the row count. */
  private static long readWithParquetMr(Path root) throws IOException {
    long rows = 0;
    long cells = 0;
    for (Path f : dataFiles(root)) {
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(f.toString());
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
    assertEquals(JobTestKit.sampleInput().selectExpr("count(card_number) + count(cardholder_name) + count(cvv)"
        + " + count(street_address)").first().getLong(0), cells);
    return rows;
  }

  private static List<Path> dataFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_columnseal"))
          .toList();
    }
  }
}
