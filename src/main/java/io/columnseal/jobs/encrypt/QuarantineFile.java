package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.QuarantineFolder;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * One task attempt's quarantine file (docs/FORMAT.md section 9): a Parquet row per malformed
 * CSV row, holding its source file, its line and its raw text sealed as one cell. Written with
 * parquet-hadoop directly, in the executor, because a task cannot start a Spark write of its own.
 */
final class QuarantineFile implements Closeable {
  static final MessageType SCHEMA = Types.buildMessage()
      .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("source_file")
      .optional(PrimitiveTypeName.INT64).named("line")
      .required(PrimitiveTypeName.BINARY).named("record")
      .named("columnseal_quarantine");

  private final Configuration conf;
  private final Path path;
  private final ParquetWriter<Entry> writer;
  private boolean closed;

  private QuarantineFile(Configuration conf, Path path, ParquetWriter<Entry> writer) {
    this.conf = conf;
    this.path = path;
    this.writer = writer;
  }

  static QuarantineFile create(Configuration conf, Path path, String datasetId) {
    Map<String, String> meta = Map.of("columnseal.dataset", datasetId,
        "columnseal.cellColumn", QuarantineFolder.CELL_COLUMN, "columnseal.cellType", "string");
    try {
      ParquetWriter<Entry> w = new Builder(HadoopOutputFile.fromPath(path, conf), meta).withConf(conf)
          .withWriteMode(ParquetFileWriter.Mode.CREATE).withCompressionCodec(CompressionCodecName.SNAPPY)
          .withDictionaryEncoding(false).build();
      return new QuarantineFile(conf, path, w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create quarantine file " + path, e);
    }
  }

  Path path() {
    return path;
  }

  /** {@code line} is 1-based, or -1 when unknown. {@code cell} is the sealed record. */
  void add(String sourceFile, long line, byte[] cell) {
    try {
      writer.write(new Entry(sourceFile, line, cell));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write quarantine file " + path, e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish quarantine file " + path, e);
    }
  }

  /** A failed attempt's file: closed and deleted, best effort (the driver sweeps what is left). */
  void discard() {
    try {
      close();
    } catch (RuntimeException e) {
      // Deleted below either way.
    }
    try {
      path.getFileSystem(conf).delete(path, false);
    } catch (IOException e) {
      // The driver deletes files of attempts it did not commit.
    }
  }

  private static final class Entry {
    final String sourceFile;
    final long line;
    final byte[] cell;

    Entry(String sourceFile, long line, byte[] cell) {
      this.sourceFile = sourceFile;
      this.line = line;
      this.cell = cell;
    }
  }

  private static final class Support extends WriteSupport<Entry> {
    private final Map<String, String> meta;
    private RecordConsumer out;

    Support(Map<String, String> meta) {
      this.meta = meta;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(SCHEMA, meta);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      out = recordConsumer;
    }

    @Override
    public void write(Entry e) {
      out.startMessage();
      out.startField("source_file", 0);
      out.addBinary(Binary.fromString(e.sourceFile));
      out.endField("source_file", 0);
      if (e.line > 0) {
        out.startField("line", 1);
        out.addLong(e.line);
        out.endField("line", 1);
      }
      out.startField("record", 2);
      out.addBinary(Binary.fromConstantByteArray(e.cell));
      out.endField("record", 2);
      out.endMessage();
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Entry, Builder> {
    private final Map<String, String> meta;

    Builder(OutputFile file, Map<String, String> meta) {
      super(file);
      this.meta = meta;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Entry> getWriteSupport(Configuration configuration) {
      return new Support(meta);
    }
  }
}
