package io.columnseal.jobs.verify;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.SerializableConfiguration;

/**
 * verify's pass over a page-mode dataset's files, in the executors (docs/jobs/verify.md): each
 * file is opened through {@link io.columnseal.jobs.decrypt.PageDecryption} as every reader opens it
 * (file live and bound, footer signature checked), the pages of the encrypted columns in its first
 * {@code rowGroups} row groups are decrypted (GCM authenticates each), and each encrypted column
 * chunk's non-null value count is read from its decrypted metadata. Values never leave the task.
 */
final class PageSampler implements FlatMapFunction<Iterator<String>, PageSampler.Result> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_EXAMPLES = 20;

  /** What one partition saw. */
  static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    /** file -> per row group, encrypted column -> non-null values (-1: the chunk records no null count). */
    final Map<String, List<Map<String, Long>>> nonNull = new HashMap<>();
    long pages;
    final List<String> problems = new ArrayList<>();
    long problemCount;

    void problem(String message) {
      problemCount++;
      if (problems.size() < MAX_EXAMPLES) {
        problems.add(message);
      }
    }
  }

  private final String root;
  private final List<String> encrypted;
  private final Map<String, String> readerConf;
  private final SerializableConfiguration base;
  private final int rowGroups;

  /**
   * @param readerConf the Hadoop keys naming PageDecryption and its settings
   * @param rowGroups how many row groups of each file to decrypt (0: metadata only)
   */
  PageSampler(String root, List<String> encrypted, Map<String, String> readerConf, SerializableConfiguration base,
      int rowGroups) {
    this.root = root;
    this.encrypted = List.copyOf(encrypted);
    this.readerConf = Map.copyOf(readerConf);
    this.base = base;
    this.rowGroups = rowGroups;
  }

  @Override
  public Iterator<Result> call(Iterator<String> files) {
    Result r = new Result();
    Configuration conf = new Configuration(base.value());
    readerConf.forEach(conf::set);
    while (files.hasNext()) {
      String f = files.next();
      Path p = new Path(root, f);
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf),
          HadoopReadOptions.builder(conf, p).build())) {
        r.nonNull.put(f, counts(reader));
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>();
        for (String c : encrypted) {
          if (schema.containsField(c)) {
            fields.add(schema.getType(c));
          }
        }
        MessageType requested = new MessageType(schema.getName(), fields);
        reader.setRequestedSchema(requested);
        int n = Math.min(rowGroups, reader.getRowGroups().size());
        for (int g = 0; g < n; g++) {
          PageReadStore store = reader.readRowGroup(g);
          for (ColumnDescriptor d : requested.getColumns()) {
            r.pages += pages(store.getPageReader(d));
          }
        }
      } catch (IOException | RuntimeException e) {
        r.nonNull.remove(f);
        r.problem("the pages of file " + f + " did not decrypt: " + FileChecks.rootCause(e));
      }
    }
    return List.of(r).iterator();
  }

  /** Non-null values per row group and encrypted column, from the decrypted column metadata. */
  private List<Map<String, Long>> counts(ParquetFileReader reader) {
    List<Map<String, Long>> out = new ArrayList<>();
    for (BlockMetaData b : reader.getRowGroups()) {
      Map<String, Long> g = new HashMap<>();
      for (ColumnChunkMetaData c : b.getColumns()) {
        String name = c.getPath().toDotString();
        if (!encrypted.contains(name)) {
          continue;
        }
        Statistics<?> st = c.getStatistics();
        g.put(name, st != null && st.isNumNullsSet() ? c.getValueCount() - st.getNumNulls() : -1L);
      }
      out.add(g);
    }
    return out;
  }

  /** Reads (so decrypts and authenticates) every page of one column chunk; returns how many. */
  private static long pages(PageReader pr) {
    long n = pr.readDictionaryPage() != null ? 1 : 0;
    while (pr.readPage() != null) {
      n++;
    }
    return n;
  }
}
