package io.columnseal.sql;

import io.columnseal.jobs.decrypt.PageReadFailure;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import scala.runtime.AbstractFunction1;

/**
 * One page-mode file read with decryption on an executor: Parquet's own reader, with a failure
 * of its decryption (a tag or footer signature that does not verify, a file or DEK the manifest
 * does not bind) told in one line naming the file and the cause.
 */
final class PageFileReader extends AbstractFunction1<PartitionedFile, scala.collection.Iterator<InternalRow>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private final scala.Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> inner;
  private final String datasetId;

  PageFileReader(scala.Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> inner, String datasetId) {
    this.inner = inner;
    this.datasetId = datasetId;
  }

  /** Elements are batches or rows, as Spark asked for: typed Object, so Java casts neither. */
  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public scala.collection.Iterator<InternalRow> apply(PartitionedFile file) {
    scala.collection.Iterator<Object> in;
    try {
      in = (scala.collection.Iterator) inner.apply(file);
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      throw PageReadFailure.oneLine(e, datasetId);
    }
    return (scala.collection.Iterator) new CellFileReader.Closing<Object>(in) {
      @Override
      public boolean hasNext() {
        try {
          return in.hasNext();
        } catch (Exception e) { // Spark throws checked exceptions undeclared
          throw PageReadFailure.oneLine(e, datasetId);
        }
      }

      @Override
      public Object next() {
        try {
          return in.next();
        } catch (Exception e) { // Spark throws checked exceptions undeclared
          throw PageReadFailure.oneLine(e, datasetId);
        }
      }
    };
  }
}
