package io.columnseal.jobs.rewrap;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.CellDecryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.kms.KeyService;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Before a rewrap commits, proves on a sample that the new wrappings are the same DEKs: for up
 * to N rewrapped DEKs, the new blob is unwrapped with KMS Decrypt on the target key and the
 * first cell of each encrypted column found under that DEK in the live files is opened with
 * it (GCM authenticates, so a wrong key cannot pass). Reads the first rows of live files
 * directly with Parquet, on the driver, no Spark job. Needs kms:Decrypt on the target key and
 * read access to the data files; chosen with {@code --sample-check decrypt}.
 * Plaintext DEKs and cell values are zeroed at once and never leave this class.
 */
final class RewrapSampleCheck implements NewWrappingCheck {
  /** Rows read per file at most while looking for cells. */
  static final int ROWS_PER_FILE = 1000;

  private final Configuration conf;
  private final String datasetPath;
  private final KeyService kms;
  private final int maxDeks;

  private record Cell(ColumnSpec spec, byte[] bytes) {}

  RewrapSampleCheck(Configuration conf, String datasetPath, KeyService kms, int maxDeks) {
    this.conf = conf;
    this.datasetPath = datasetPath;
    this.kms = kms;
    this.maxDeks = maxDeks;
  }

  @Override
  public void check(ManifestState state, Map<DekId, RewrapEntry> candidates, RewrapReport.SampleCheck out) {
    if (candidates.isEmpty()) {
      return;
    }
    Map<DekId, List<Cell>> found = findCells(state, candidates.keySet());
    for (Map.Entry<DekId, List<Cell>> e : found.entrySet()) {
      out.cellsDecrypted += open(state.deks().get(e.getKey()), candidates.get(e.getKey()), e.getValue());
      out.deksChecked++;
    }
    if (found.isEmpty()) {
      // No live cell of these DEKs (empty files, or files an overwrite removed): unwrapping still
      // proves the new blobs are usable, if not that they hold the same keys.
      candidates.values().stream().limit(maxDeks).forEach(entry -> {
        open(state.deks().get(entry.id), entry, List.of());
        out.deksChecked++;
        out.deksUnwrappedWithoutCell++;
      });
    }
  }

  /** Unwraps the new blob and opens the cells; returns how many opened. */
  private long open(DekRecord dek, RewrapEntry entry, List<Cell> cells) {
    String what = "DEK " + dek.id() + " rewrapped under " + entry.toKeyArn;
    OpeningKey key;
    try {
      key = kms.decrypt(entry.newWrapping(), dek.id(), dek.context());
    } catch (ColumnsealException e) {
      throw new RewrapFailedException("sample check failed: the new wrapping of " + what + " does not unwrap: "
          + e.getMessage() + " (--sample-check decrypt needs kms:Decrypt on the target key)", e);
    }
    try (CellDecryptor d = CellDecryptor.open(key)) {
      for (Cell c : cells) {
        try {
          byte[] plain = d.open(c.spec(), c.bytes());
          Arrays.fill(plain, (byte) 0);
        } catch (ColumnsealException e) {
          throw new RewrapFailedException("sample check failed: a cell of column " + c.spec().column()
              + " does not decrypt with the new wrapping of " + what + ": " + e.getMessage(), e);
        }
      }
    } finally {
      key.destroy();
    }
    return cells.size();
  }

  /** The first cell of each encrypted column under each wanted DEK, from the first rows of live files. */
  private Map<DekId, List<Cell>> findCells(ManifestState state, Set<DekId> wanted) {
    Map<String, ColumnSpec> specs = new LinkedHashMap<>();
    for (ColumnRecord c : state.schema()) {
      if (c.encrypted()) {
        specs.put(c.name(), ColumnTypes.spec(state.datasetId(), c.name(), c.type()));
      }
    }
    Map<DekId, List<Cell>> found = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>(); // DEK id + column
    for (String file : state.liveFiles()) {
      if (found.size() >= maxDeks) {
        break;
      }
      readFile(new Path(datasetPath, file), specs, wanted, found, seen);
    }
    return found;
  }

  private void readFile(Path file, Map<String, ColumnSpec> specs, Set<DekId> wanted, Map<DekId, List<Cell>> found,
      Set<String> seen) {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      List<Type> fields = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (String c : specs.keySet()) {
        if (schema.containsField(c)) {
          fields.add(schema.getType(c));
          names.add(c);
        }
      }
      if (fields.isEmpty()) {
        return;
      }
      MessageType projection = new MessageType(schema.getName(), fields);
      reader.setRequestedSchema(projection);
      Set<String> columnsDone = new HashSet<>();
      long rows = 0;
      PageReadStore pages;
      while (rows < ROWS_PER_FILE && columnsDone.size() < names.size() && (pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = new ColumnIOFactory().getColumnIO(projection, schema)
            .getRecordReader(pages, new GroupRecordConverter(projection));
        for (long i = 0; i < pages.getRowCount() && rows < ROWS_PER_FILE && columnsDone.size() < names.size(); i++) {
          rows++;
          Group row = records.read();
          for (int k = 0; k < names.size(); k++) {
            String column = names.get(k);
            if (columnsDone.contains(column) || row.getFieldRepetitionCount(column) == 0) {
              continue;
            }
            columnsDone.add(column);
            byte[] cell = cellBytes(row.getBinary(column, 0).getBytes(), fields.get(k));
            if (cell == null || !CellFormat.looksLikeCell(cell)) {
              continue; // verify reports malformed cells; the sample only needs good ones
            }
            DekId id = CellFormat.dekIdOf(cell);
            boolean room = found.containsKey(id) || found.size() < maxDeks;
            if (wanted.contains(id) && room && seen.add(id.hex() + "/" + column)) {
              found.computeIfAbsent(id, x -> new ArrayList<>()).add(new Cell(specs.get(column), cell));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new RewrapFailedException("sample check failed: cannot read data file " + file + ": "
          + e.getClass().getSimpleName() + " (nothing committed; run verify on the dataset)", e);
    }
  }

  /** Cells are BINARY, or base64 text when the dataset was written with cellEncoding=base64. */
  private static byte[] cellBytes(byte[] stored, Type type) {
    if (!(type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation)) {
      return stored;
    }
    try {
      return Base64.getDecoder().decode(stored);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
