package io.columnseal.sql;

import io.columnseal.jobs.decrypt.CellOpening;
import java.io.Closeable;
import java.io.Serializable;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.runtime.AbstractFunction1;

/**
 * One cell-mode file read on an executor: Parquet's rows of stored columns and row index, the
 * rows whose stored values fail a sealed-literal comparison dropped unopened, the rest opened by
 * the decrypt room's opener with the file's path, refused domain columns set to null, the
 * file's partition values appended.
 */
final class CellFileReader extends AbstractFunction1<PartitionedFile, scala.collection.Iterator<InternalRow>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private final scala.Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> stored;
  private final CellOpening.FileRows opener;
  private final StoredEquality[] tests;
  private final int[] nulled;
  private final StructType output;
  /** Spark expects unsafe rows from a Parquet scan only when its vectorized reader is off. */
  private final boolean unsafe;

  CellFileReader(scala.Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> stored,
      CellOpening.FileRows opener, StoredEquality[] tests, int[] nulled, StructType output, boolean unsafe) {
    this.stored = stored;
    this.opener = opener;
    this.tests = tests;
    this.nulled = nulled;
    this.output = output;
    this.unsafe = unsafe;
  }

  @Override
  public scala.collection.Iterator<InternalRow> apply(PartitionedFile file) {
    // Parquet reads the file without its partition values: they are appended after opening.
    scala.collection.Iterator<InternalRow> in = stored.apply(new PartitionedFile(InternalRow.empty(), file.filePath(),
        file.start(), file.length(), file.locations(), file.modificationTime(), file.fileSize(),
        file.otherConstantMetadataColumnValues()));
    // _metadata.file_path's form, which the opener parses and names in errors.
    InternalRow path = new GenericInternalRow(new Object[] {
        UTF8String.fromString(new Path(file.filePath().toPath().toString()).toUri().toString())});
    java.util.Iterator<InternalRow> opened = opener.open(new Kept(in, path));
    JoinedRow joined = new JoinedRow();
    UnsafeProjection project = unsafe ? UnsafeProjection.create(output) : null;
    InternalRow partition = file.partitionValues();
    return new Closing<>(in) {
      @Override
      public boolean hasNext() {
        return opened.hasNext();
      }

      @Override
      public InternalRow next() {
        InternalRow row = opened.next();
        for (int i : nulled) {
          row.setNullAt(i);
        }
        InternalRow out = joined.apply(row, partition);
        return project == null ? out : project.apply(out);
      }
    };
  }

  /** The rows that pass every stored-value test, each with the file's path after its row index. */
  private final class Kept implements java.util.Iterator<InternalRow> {
    private final scala.collection.Iterator<InternalRow> in;
    private final InternalRow path;
    private final JoinedRow positioned = new JoinedRow();
    private InternalRow ahead;

    Kept(scala.collection.Iterator<InternalRow> in, InternalRow path) {
      this.in = in;
      this.path = path;
    }

    @Override
    public boolean hasNext() {
      while (ahead == null && in.hasNext()) {
        InternalRow r = in.next();
        if (passes(r)) {
          ahead = positioned.apply(r, path);
        }
      }
      return ahead != null;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      InternalRow r = ahead;
      ahead = null;
      return r;
    }

    private boolean passes(InternalRow r) {
      for (StoredEquality t : tests) {
        if (!t.test(r)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A file's row iterator that closes Parquet's reader when Spark closes it (Spark closes the
   * iterator a file reader returns if it is {@link Closeable}).
   */
  abstract static class Closing<T> extends scala.collection.AbstractIterator<T> implements Closeable {
    private final scala.collection.Iterator<?> reader;

    Closing(scala.collection.Iterator<?> reader) {
      this.reader = reader;
    }

    @Override
    public void close() throws java.io.IOException {
      if (reader instanceof Closeable c) {
        c.close();
      }
    }
  }
}
