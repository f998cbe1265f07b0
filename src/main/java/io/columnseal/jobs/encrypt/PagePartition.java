package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.MaskStyle;
import io.columnseal.crypto.protect.Masker;
import io.columnseal.jobs.recovery.TaskLedger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One partition of a page-mode run, on the executor (docs/FORMAT.md section 12): no value is
 * sealed here. Encrypted columns pass through with their own type (Parquet's writer encrypts
 * their pages with the keys {@link PageTaskKeys} makes when it opens a file); masked columns are
 * written as their mask, dropped ones not at all; each group's non-null values are counted for
 * the manifest. A malformed CSV row fails the task naming its file and line, never its text,
 * whether it comes as our corrupt-record column or (FAILFAST read) as Spark's parse failure.
 */
final class PagePartition implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final SealingPlan plan;
  private final PageAlgorithm algorithm;
  private final int partitionColumns;

  PagePartition(SealingPlan plan, PageAlgorithm algorithm, int partitionColumns) {
    this.plan = plan;
    this.algorithm = algorithm;
    this.partitionColumns = partitionColumns;
  }

  /** The input schema less dropped columns; encrypted and masked columns keep their type. */
  static StructType outputSchema(SealingPlan plan) {
    List<StructField> kept = new ArrayList<>();
    StructField[] fields = plan.inputSchema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (!plan.policies.dropped[i]) {
        kept.add(fields[i]);
      }
    }
    return new StructType(kept.toArray(new StructField[0]));
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    // Registered before Spark's writer opens the task's first file, which asks for the keys.
    return new Pass(rows, PageTaskKeys.register(plan, algorithm, partitionColumns + 1));
  }

  private final class Pass implements Iterator<InternalRow> {
    private final InputRows in;
    private final PageTaskKeys keys;
    private final TaskLedger ledger = TaskLedger.current();
    private final DataType[] types;
    private final int[] outOrdinal;
    /** Per input ordinal: its index among the encrypted columns, or -1. */
    private final int[] slot;
    private final Masker[] maskers;
    private final long[] cells;
    private final GenericInternalRow out;
    /** No mask and no drop: the input row goes to the writer as it is (no copy, no boxing). */
    private final boolean passThrough;
    private long rows;
    private boolean finished;

    Pass(Iterator<InternalRow> in, PageTaskKeys keys) {
      this.in = new InputRows(in, plan);
      this.keys = keys;
      int n = plan.inputSchema.size();
      this.types = new DataType[n];
      this.outOrdinal = new int[n];
      this.slot = new int[n];
      this.maskers = new Masker[n];
      int o = 0;
      for (int i = 0; i < n; i++) {
        types[i] = plan.inputSchema.fields()[i].dataType();
        outOrdinal[i] = plan.policies.dropped[i] ? -1 : o++;
        slot[i] = -1;
        if (plan.policies.maskShow[i] != null) {
          maskers[i] = Masker.of(MaskStyle.fromConfigName(plan.policies.maskShow[i]));
        }
      }
      for (int k = 0; k < plan.encryptedOrdinals.length; k++) {
        slot[plan.encryptedOrdinals[k]] = k;
      }
      this.cells = new long[plan.encryptedOrdinals.length];
      this.out = new GenericInternalRow(o);
      this.passThrough = o == n && java.util.Arrays.stream(maskers).allMatch(java.util.Objects::isNull);
    }

    @Override
    public boolean hasNext() {
      if (in.hasNext()) {
        return true;
      }
      finish();
      return false;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      InternalRow row = in.next();
      if (in.isMalformed(row)) {
        throw in.malformed(row);
      }
      keys.row();
      if (passThrough) {
        // The writer reads the first n fields by ordinal; a CSV row's trailing malformed-record
        // fields are not written.
        for (int k = 0; k < cells.length; k++) {
          int i = plan.encryptedOrdinals[k];
          if (!row.isNullAt(i)) {
            cells[k]++;
          }
        }
        rows++;
        return row;
      }
      for (int i = 0; i < types.length; i++) {
        int o = outOrdinal[i];
        if (o < 0) {
          continue;
        }
        if (row.isNullAt(i)) {
          out.setNullAt(o);
          continue;
        }
        int k = slot[i];
        if (k >= 0) {
          cells[k]++;
        }
        if (maskers[i] != null) {
          out.update(o, UTF8String.fromString(maskers[i].mask(row.getUTF8String(i).toString())));
        } else {
          out.update(o, row.get(i, types[i]));
        }
      }
      rows++;
      return out;
    }

    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      keys.finish(cells);
      ledger.rows += rows;
      for (int k = 0; k < cells.length; k++) {
        ledger.addCells(k, cells[k], cells.length);
      }
    }
  }
}
