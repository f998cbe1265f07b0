package io.columnseal.jobs.verify;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.CellDecryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.CellPlacement;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.input.InputReader;
import org.apache.hadoop.fs.Path;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.spark.InternalCells;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.kms.KeyServiceSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;

/**
 * verify's pass over the data, in the executors: tallies the cells of each DEK, checks each
 * cell's shape, and decrypts the first few cells of each file and column. Returns one
 * {@link Result} per partition; values never leave the executor.
 */
final class VerifyScanner implements FlatMapFunction<Iterator<InternalRow>, VerifyScanner.Result> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_EXAMPLES = 20;

  /** What one partition saw. */
  static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    final Map<Long, Long> cellsPerDek = new HashMap<>();
    long rows;
    long cells;
    long malformed;
    long samples;
    final List<String> problems = new ArrayList<>();
    long problemCount;
    /** Cells in a file the manifest does not bind their DEK to, or out of the file's counter order. */
    final List<String> misplaced = new ArrayList<>();
    long misplacedCount;

    void misplaced(String message) {
      misplacedCount++;
      if (misplaced.size() < MAX_EXAMPLES) {
        misplaced.add(message);
      }
    }

    void problem(String message) {
      problemCount++;
      if (problems.size() < MAX_EXAMPLES) {
        problems.add(message);
      }
    }
  }

  private final String datasetId;
  private final String[] names;
  private final int[] ordinals;
  private final DataType[] originalTypes;
  private final CellEncoding encoding;
  private final int fileOrdinal;
  private final KeyServiceSpec keyService;
  private final Broadcast<Map<Long, WrappedDek>> deks;
  private final int samplesPerFile;
  private final int rowOrdinal;
  private final FileBindings bindings;

  VerifyScanner(String datasetId, String[] names, int[] ordinals, DataType[] originalTypes, CellEncoding encoding,
      int fileOrdinal, int rowOrdinal, FileBindings bindings, KeyServiceSpec keyService,
      Broadcast<Map<Long, WrappedDek>> deks, int samplesPerFile) {
    this.rowOrdinal = rowOrdinal;
    this.bindings = bindings;
    this.datasetId = datasetId;
    this.names = names.clone();
    this.ordinals = ordinals.clone();
    this.originalTypes = originalTypes.clone();
    this.encoding = encoding;
    this.fileOrdinal = fileOrdinal;
    this.keyService = keyService;
    this.deks = deks;
    this.samplesPerFile = samplesPerFile;
  }

  @Override
  public Iterator<Result> call(Iterator<InternalRow> rows) {
    Result r = new Result();
    Map<Long, WrappedDek> table = deks.value();
    Map<String, Integer> sampled = new HashMap<>();
    Map<DekId, CellDecryptor> open = new HashMap<>();
    CellPlacement placement = new CellPlacement(bindings);
    String lastFile = null;
    Path filePath = null;
    Map<DekId, DataKeyCache.Lease> leases = new HashMap<>();
    ColumnSpec[] specs = new ColumnSpec[ordinals.length];
    for (int k = 0; k < specs.length; k++) {
      specs[k] = SparkTypes.columnSpec(datasetId, names[k], originalTypes[k]);
    }
    try {
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        r.rows++;
        String file = row.getUTF8String(fileOrdinal).toString();
        if (!file.equals(lastFile)) {
          lastFile = file;
          filePath = InputReader.sourcePath(file);
        }
        long rowIndex = row.isNullAt(rowOrdinal) ? -1 : row.getLong(rowOrdinal);
        for (int k = 0; k < ordinals.length; k++) {
          if (row.isNullAt(ordinals[k])) {
            continue;
          }
          r.cells++;
          byte[] cell = cellOf(row, ordinals[k]);
          if (cell == null || !CellFormat.looksLikeCell(cell)) {
            r.malformed++;
            r.problem("column " + names[k] + " in " + file + " holds a value that is not a v1 columnseal cell");
            continue;
          }
          DekId id = CellFormat.dekIdOf(cell);
          r.cellsPerDek.merge(id.asLong(), 1L, Long::sum);
          // An unlisted DEK is the unknown-dek check's finding; a listed one must be bound to this file.
          String misplaced = table.containsKey(id.asLong()) ? placement.bound(filePath, id.asLong()) : null;
          if (misplaced == null) {
            misplaced = placement.ordered(filePath, rowIndex, ordinals[k], names[k], id.asLong(),
                CellFormat.counterOf(cell));
          }
          if (misplaced != null) {
            r.misplaced("column " + names[k] + " in " + file + " at row " + rowIndex + ": " + misplaced);
            continue;
          }
          String key = file + "\u0000" + k;
          if (keyService == null || sampled.getOrDefault(key, 0) >= samplesPerFile || !table.containsKey(id.asLong())) {
            continue;
          }
          sampled.merge(key, 1, Integer::sum);
          try {
            CellDecryptor d = open.get(id);
            if (d == null) {
              DataKeyCache.Lease lease = DataKeyCache.shared().acquire(keyService, id, table.get(id.asLong()));
              leases.put(id, lease);
              d = CellDecryptor.open(lease.key());
              open.put(id, d);
            }
            InternalCells.decode(specs[k], d.open(specs[k], cell));
            r.samples++;
          } catch (ColumnsealException e) {
            r.problem("sample cell of column " + names[k] + " in " + file + " did not decrypt: " + e.getMessage());
          }
        }
      }
    } finally {
      leases.values().forEach(DataKeyCache.Lease::close);
    }
    return List.of(r).iterator();
  }

  private byte[] cellOf(InternalRow row, int ordinal) {
    if (encoding == CellEncoding.BINARY) {
      return row.getBinary(ordinal);
    }
    try {
      return Base64.getDecoder().decode(row.getUTF8String(ordinal).getBytes());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
