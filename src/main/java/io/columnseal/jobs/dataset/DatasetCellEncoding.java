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
    checkAppend(m, name(incoming), conf, output);
  }

  /**
   * As above for the encoding's manifest name ({@code binary}, {@code base64} or {@code page}):
   * one dataset has one mode (cell or page, docs/FORMAT.md section 12) and one cell encoding.
   */
  public static void checkAppend(ManifestState m, String incoming, Configuration conf, String output) {
    Optional<String> current = of(m, conf, output);
    if (current.isEmpty() || current.get().equals(incoming)) {
      return;
    }
    boolean incomingPage = PAGE.equals(incoming);
    if (incomingPage || PAGE.equals(current.get())) {
      String was = PAGE.equals(current.get()) ? "page" : "cell";
      String now = incomingPage ? "page" : "cell";
      throw new ConfigException("Cannot set encrypt.mode to " + now + ": dataset " + m.datasetId() + " at " + output
          + " is written in " + was + " mode and one dataset has one mode; set encrypt.mode=" + was
          + " or write to another output.path");
    }
    throw new ConfigException("Cannot set encrypt.cellEncoding to " + incoming + ": dataset " + m.datasetId()
        + " at " + output + " stores its cells as " + current.get()
        + " and one dataset has one cell encoding; set encrypt.cellEncoding=" + current.get()
        + " or write to another output.path");
  }

  /** The manifest name of page mode's "cell encoding" (docs/FORMAT.md 5.2). */
  public static final String PAGE = io.columnseal.manifest.Commit.PAGE_ENCODING;

  /** Whether the snapshot's dataset is written in page mode. */
  public static boolean isPage(ManifestState m) {
    return m.cellEncoding().map(PAGE::equals).orElse(false);
  }

  static Optional<String> of(ManifestState m, Configuration conf, String output) {
    Optional<String> recorded = m.cellEncoding();
    if (recorded.isPresent()) {
      return Optional.of(recorded.get());
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
      return Optional.of(name(text ? CellEncoding.BASE64 : CellEncoding.BINARY));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the footer of " + file + " to learn the dataset's cell encoding", e);
    }
  }

  public static String name(CellEncoding e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
