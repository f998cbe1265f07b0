package io.columnseal.jobs.dataset;

import io.columnseal.ConfigException;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * One dataset, one cell encoding (docs/FORMAT.md 5.2): what the manifest records, or for a
 * manifest written before it recorded one, what a live file's footer shows for an encrypted
 * column (BINARY = binary cells, BINARY annotated STRING = base64).
 */
public final class DatasetCellEncoding {
  private DatasetCellEncoding() {}

  /** Refuses an append whose encoding differs from the dataset's; reads one footer at most. */
  public static void checkAppend(ManifestState m, CellEncoding incoming, Configuration conf, String output) {
    Optional<CellEncoding> current = of(m, conf, output);
    if (current.isPresent() && current.get() != incoming) {
      throw new ConfigException("Cannot set encrypt.cellEncoding to " + name(incoming) + ": dataset " + m.datasetId()
          + " at " + output + " stores its cells as " + name(current.get())
          + " and one dataset has one cell encoding; set encrypt.cellEncoding=" + name(current.get())
          + " or write to another output.path");
    }
  }

  static Optional<CellEncoding> of(ManifestState m, Configuration conf, String output) {
    Optional<String> recorded = m.cellEncoding();
    if (recorded.isPresent()) {
      return Optional.of(CellEncoding.valueOf(recorded.get().toUpperCase(Locale.ROOT)));
    }
    if (m.liveFiles().isEmpty() || m.encryptedColumns().isEmpty()) {
      return Optional.empty();
    }
    Path file = new Path(output, m.liveFiles().first());
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String column = m.encryptedColumns().get(0);
      if (!schema.containsField(column)) {
        return Optional.empty();
      }
      Type t = schema.getType(column);
      boolean text = t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
      return Optional.of(text ? CellEncoding.BASE64 : CellEncoding.BINARY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the footer of " + file + " to learn the dataset's cell encoding", e);
    }
  }

  public static String name(CellEncoding e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
