package io.columnseal.sql;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.CellDecryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.CryptoException;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.MalformedCellException;
import io.columnseal.crypto.ValueCodec;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.jobs.decrypt.DataKeyCache;
import io.columnseal.jobs.dataset.KeyGroups;
import io.columnseal.jobs.spark.InternalCells;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.kms.KeyServiceSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One encrypted column of one dataset, as {@code columnseal_decrypt} opens it: plain values and
 * the broadcast DEK table from the driver; on the executor, each DEK a task meets is unwrapped
 * once through the JVM's {@link DataKeyCache} (per caller) and released when the task ends.
 * A cell whose DEK the manifest does not list, or of another key group, is refused. The
 * function sees a cell without its file, so it cannot check the file binding that the data
 * source checks (docs/READING.md).
 */
public final class DatasetColumn implements Serializable {
  private static final long serialVersionUID = 1L;

  final String datasetId;
  final String column;
  final DataType type;
  private final KeyServiceSpec keyService;
  private final Broadcast<Map<Long, WrappedDek>> deks;
  /** The column's key group, or null for a dataset without column policies. */
  private final String keyGroup;

  private transient TaskContext task;
  private transient Map<Long, CellDecryptor> open;
  private transient List<DataKeyCache.Lease> leases;
  private transient ColumnSpec spec;
  private transient long lastDek;
  private transient CellDecryptor last;

  DatasetColumn(String datasetId, String column, DataType type, KeyServiceSpec keyService,
      Broadcast<Map<Long, WrappedDek>> deks, String keyGroup) {
    this.datasetId = datasetId;
    this.column = column;
    this.type = type;
    this.keyService = keyService;
    this.deks = deks;
    this.keyGroup = keyGroup;
  }

  /** The value of a base64 cell (encrypt.cellEncoding=base64), in Spark's internal form. */
  public Object open(UTF8String base64) {
    byte[] cell;
    try {
      cell = Base64.getDecoder().decode(base64.getBytes());
    } catch (IllegalArgumentException e) {
      throw failure("the text is not base64", null);
    }
    return open(cell);
  }

  /** The value of a binary cell, in Spark's internal form. */
  public Object open(byte[] cell) {
    startTaskIfNew();
    try {
      CellDecryptor d = decryptorFor(cell);
      return InternalCells.decode(spec, d.open(spec, cell));
    } catch (CryptoException e) {
      throw failure(e.getMessage(), e);
    }
  }

  private CellDecryptor decryptorFor(byte[] cell) {
    if (cell.length < CellFormat.OVERHEAD_BYTES) {
      throw new MalformedCellException("a cell of column " + column + " is shorter than the cell header and tag");
    }
    long id = ValueCodec.getLong(cell, CellFormat.DEK_ID_OFFSET);
    if (last != null && id == lastDek) {
      return last;
    }
    CellDecryptor d = open.get(id);
    if (d == null) {
      WrappedDek w = deks.value().get(id);
      DekId dekId = CellFormat.dekIdOf(cell);
      if (w == null) {
        throw failure("it names DEK " + dekId + ", which the manifest does not list", null);
      }
      String misplaced = keyGroup == null ? null : KeyGroups.mismatch(column, keyGroup, dekId, w);
      if (misplaced != null) {
        throw failure(misplaced, null);
      }
      DataKeyCache.Lease lease = DataKeyCache.shared().acquire(keyService, dekId, w);
      leases.add(lease);
      d = CellDecryptor.open(lease.key());
      open.put(id, d);
    }
    lastDek = id;
    last = d;
    return d;
  }

  /** A task's DEKs are its own: a new task (or the driver) starts empty and releases at its end. */
  private void startTaskIfNew() {
    TaskContext tc = TaskContext.get();
    if (open != null && tc == task) {
      return;
    }
    task = tc;
    open = new HashMap<>();
    leases = new ArrayList<>();
    last = null;
    spec = SparkTypes.columnSpec(datasetId, column, type);
    if (tc != null) {
      Map<Long, CellDecryptor> mine = open;
      List<DataKeyCache.Lease> held = leases;
      tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> {
        mine.values().forEach(CellDecryptor::close);
        held.forEach(DataKeyCache.Lease::close);
        mine.clear();
        held.clear();
      });
    }
  }

  private CellOpenException failure(String why, Throwable cause) {
    return new CellOpenException("columnseal_decrypt cannot open a cell of column " + column + " of dataset "
        + datasetId + ": " + why, cause);
  }

  /** What a plan shows: the dataset and column, never a key or a value. */
  @Override
  public String toString() {
    return datasetId + "." + column;
  }

  /** A cell the function could not open; the message names the column and dataset, never a value. */
  public static final class CellOpenException extends ColumnsealException {
    private static final long serialVersionUID = 1L;

    CellOpenException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
