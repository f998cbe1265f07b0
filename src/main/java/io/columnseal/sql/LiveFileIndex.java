package io.columnseal.sql;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.datasources.FileIndex;
import org.apache.spark.sql.execution.datasources.FileStatusWithMetadata;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The manifest's live files as Spark's file index (never a folder listing): Spark's own index
 * over exactly those files, with two checks of ours. Every listing a query makes is compared
 * with the sizes the manifest records (FORMAT.md 5.2), so a file replaced after its commit (a
 * retired file copied back over a live name, an edited file) is refused before any row of it is
 * read, clear columns included. And the index names two roots, the dataset folder and its
 * manifest folder: Spark refuses to write into a relation with more than one root, so an
 * {@code INSERT} into a columnseal table can neither write plaintext into the dataset nor, with
 * {@code OVERWRITE}, delete its files.
 */
final class LiveFileIndex implements FileIndex {
  private final FileIndex files;
  private final String datasetId;
  private final Map<String, Long> recorded = new HashMap<>();
  private final Seq<Path> roots;

  LiveFileIndex(FileIndex files, DatasetSnapshot snap, Configuration conf) {
    this.files = files;
    this.datasetId = snap.state.datasetId();
    Path root;
    try {
      Path p = new Path(snap.path);
      root = p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve dataset path " + SealedRelation.redacted(snap.path), e);
    }
    for (String f : snap.state.liveFiles()) {
      Path abs = new Path(root, f);
      snap.state.boundFile(f).ifPresent(r -> recorded.put(abs.toUri().getPath(), r.size()));
    }
    // Shown by EXPLAIN as the scan's location: a URI's user info (a credential) is left out.
    this.roots = JavaConverters.asScalaBuffer(List.of(new Path(SealedRelation.redacted(root.toString())),
        new Path(SealedRelation.redacted(snap.manifestDir.toString())))).toList();
  }

  @Override
  public Seq<Path> rootPaths() {
    return roots;
  }

  @Override
  public Seq<PartitionDirectory> listFiles(Seq<Expression> partitionFilters, Seq<Expression> dataFilters) {
    Seq<PartitionDirectory> listed = files.listFiles(partitionFilters, dataFilters);
    for (PartitionDirectory d : JavaConverters.seqAsJavaList(listed)) {
      for (FileStatusWithMetadata st : JavaConverters.seqAsJavaList(d.files())) {
        Long want = recorded.get(st.getPath().toUri().getPath());
        if (want != null && want != st.getLen()) {
          throw new DatasetException("file " + st.getPath() + " of dataset " + datasetId + " is " + st.getLen()
              + " bytes, but the manifest records " + want + " bytes for it: it was replaced after its run"
              + " committed (columnseal verify reports it); no row of it is read");
        }
      }
    }
    return listed;
  }

  @Override
  public String[] inputFiles() {
    return files.inputFiles();
  }

  @Override
  public void refresh() {
    files.refresh();
  }

  @Override
  public long sizeInBytes() {
    return files.sizeInBytes();
  }

  @Override
  public StructType partitionSchema() {
    return files.partitionSchema();
  }

  @Override
  public scala.Option<Object> metadataOpsTimeNs() {
    return files.metadataOpsTimeNs();
  }

  @Override
  public String toString() {
    return "columnseal live files of dataset " + datasetId;
  }
}
