package io.columnseal.sql;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import scala.collection.JavaConverters;

/**
 * A live file must still be the file its run committed: its size is compared with the one the
 * manifest records (FORMAT.md 5.2), from the listing Spark made to read it (no extra I/O). A
 * file replaced after its commit (a retired file copied back over a live name, an edited file)
 * is refused before any row of it is returned, clear columns included.
 */
final class FileSizes {
  private FileSizes() {}

  static void check(DatasetSnapshot snap, Dataset<Row> files, Configuration conf) {
    Path root;
    try {
      Path p = new Path(snap.path);
      root = p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve dataset path " + snap.path, e);
    }
    Map<String, Long> recorded = new HashMap<>();
    for (String f : snap.state.liveFiles()) {
      Path abs = new Path(root, f);
      snap.state.boundFile(f).ifPresent(r -> recorded.put(abs.toUri().getPath(), r.size()));
    }
    for (LogicalPlan leaf : JavaConverters.seqAsJavaList(files.queryExecution().analyzed().collectLeaves())) {
      if (leaf instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs
          && fs.location() instanceof PartitioningAwareFileIndex index) {
        for (FileStatus st : JavaConverters.seqAsJavaList(index.allFiles())) {
          Long want = recorded.get(st.getPath().toUri().getPath());
          if (want != null && want != st.getLen()) {
            throw new DatasetException("file " + st.getPath() + " of dataset " + snap.state.datasetId() + " is "
                + st.getLen() + " bytes, but the manifest records " + want + " bytes for it: it was replaced after"
                + " its run committed (columnseal verify reports it); no row of it is read");
          }
        }
      }
    }
  }
}
