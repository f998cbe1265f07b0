package io.columnseal.sql;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FileSourceScanLike;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FileStatusWithMetadata;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import scala.collection.JavaConverters;

/**
 * The DEKs bound to the live files a scan reads after partition pruning, found from the scan's
 * physical plan on the driver (the listing Spark already made; no job, no I/O). The access probe
 * prefers them, so the DEK it unwraps is one the tasks need anyway and a query costs exactly
 * the DEKs of the files it reads.
 */
final class PrunedFiles {
  private PrunedFiles() {}

  /** The DEK ids bound to the files {@code scan} selects (empty if none is bound). */
  static Set<DekId> deks(DatasetSnapshot snap, Dataset<Row> scan, Configuration conf) {
    Path root;
    try {
      Path p = new Path(snap.path);
      root = p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve dataset path " + snap.path, e);
    }
    Map<String, List<DekId>> bound = new HashMap<>();
    for (String f : snap.state.liveFiles()) {
      String abs = new Path(root, f).toUri().getPath();
      snap.state.boundFile(f).ifPresent(r -> bound.put(abs, r.deks()));
    }
    Set<DekId> out = new HashSet<>();
    for (SparkPlan leaf : JavaConverters.seqAsJavaList(scan.queryExecution().sparkPlan().collectLeaves())) {
      if (leaf instanceof FileSourceScanLike fs) {
        for (PartitionDirectory d : fs.selectedPartitions()) {
          for (FileStatusWithMetadata st : JavaConverters.seqAsJavaList(d.files())) {
            out.addAll(bound.getOrDefault(st.getPath().toUri().getPath(), List.of()));
          }
        }
      }
    }
    return out;
  }
}
