package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.CellEncryptor;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.protect.DeterministicCipher;
import io.columnseal.crypto.protect.FpeInputException;
import io.columnseal.crypto.protect.Tokenizer;
import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.input.LineCursor;
import io.columnseal.jobs.input.MalformedRowFailure;
import io.columnseal.jobs.recovery.TaskLedger;
import io.columnseal.jobs.spark.ClearValues;
import io.columnseal.jobs.spark.InternalCells;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Seals the configured columns of one partition, on the executor. The partition has one DEK per
 * key group (docs/jobs/encrypt.md "column policies"), asked for on the group's first non-null
 * value to encrypt (a partition with nothing to encrypt under a key makes no KMS call for it),
 * replaced after 2^32 cells, and destroyed when the task ends, successful or not. Masked columns
 * are written as their mask, dropped ones not at all.
 * Other columns are copied through as Spark's internal values, untouched. A malformed CSV row
 * fails the task naming its file and line or, with {@code input.malformed=quarantine}, is sealed
 * whole under the DEK of kms.key's group into the task's quarantine file (docs/FORMAT.md section 9).
 */
final class PartitionSealer implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final SealingPlan plan;

  PartitionSealer(SealingPlan plan) {
    this.plan = plan;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return new Sealing(rows);
  }

  private final class Sealing implements Iterator<InternalRow> {
    private final InputRows in;
    private final DataType[] types;
    private final boolean[] encrypted;
    private final int[] slot; // ordinal -> index among encrypted columns
    /** Typed slots: clear ints, dates, longs and timestamps are copied unboxed. */
    private final SpecificInternalRow out;
    private final ClearValues clear;
    private final InternalCells.Scratch scratch = new InternalCells.Scratch();
    private final byte[][] binary = new byte[1][];
    private final long[] cells;
    private final ColumnSpec[] specs = new ColumnSpec[plan.encryptedOrdinals.length];
    private final TaskLedger ledger = TaskLedger.current();
    private final SealingPolicies policies = plan.policies;
    private final PartitionKeys keys = new PartitionKeys(plan, ledger);
    private final DomainSealers domains = new DomainSealers(plan.policies.domainOf, plan.keyService);
    /** Input ordinal -> output ordinal, -1 for a dropped column. */
    private final int[] outOrdinal;
    /** Per input ordinal: the mask of a masked column (FORMAT.md 10.5), else null. */
    private final io.columnseal.crypto.protect.Masker[] maskers;
    private InternalRow pending;
    private QuarantineFile quarantineFile;
    private LineCursor lines;
    private long rows;
    private long quarantined;
    private boolean finished;

    Sealing(Iterator<InternalRow> in) {
      this.in = new InputRows(in, plan);
      int n = plan.inputSchema.size();
      this.types = new DataType[n];
      this.encrypted = new boolean[n];
      this.slot = new int[n];
      for (int i = 0; i < n; i++) {
        types[i] = plan.inputSchema.fields()[i].dataType();
      }
      for (int k = 0; k < plan.encryptedOrdinals.length; k++) {
        encrypted[plan.encryptedOrdinals[k]] = true;
        slot[plan.encryptedOrdinals[k]] = k;
      }
      this.cells = new long[plan.encryptedOrdinals.length];
      this.outOrdinal = new int[n];
      int o = 0;
      for (int i = 0; i < n; i++) {
        outOrdinal[i] = policies.dropped[i] ? -1 : o++;
      }
      this.out = new SpecificInternalRow(plan.outputSchema());
      this.clear = new ClearValues(types);
      this.maskers = new io.columnseal.crypto.protect.Masker[n];
      for (int i = 0; i < n; i++) {
        if (policies.maskShow[i] != null) {
          maskers[i] = io.columnseal.crypto.protect.Masker.of(
              io.columnseal.crypto.protect.MaskStyle.fromConfigName(policies.maskShow[i]));
        }
      }
      TaskContext tc = TaskContext.get();
      if (tc != null) {
        // Whatever happens to the task, the plaintext DEK does not outlive it.
        tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> {
          keys.destroyAll();
          domains.closeAll();
          closeQuarantine(!finished);
        });
      }
    }

    @Override
    public boolean hasNext() {
      while (pending == null && in.hasNext()) {
        InternalRow row = in.next();
        if (in.isMalformed(row)) {
          if (plan.quarantineDir == null) {
            throw in.malformed(row);
          }
          quarantine(row);
        } else {
          pending = row;
        }
      }
      if (pending != null) {
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
      InternalRow row = pending;
      pending = null;
      for (int i = 0; i < types.length; i++) {
        int o = outOrdinal[i];
        if (o < 0) {
          continue;
        }
        if (row.isNullAt(i)) {
          out.setNullAt(o);
        } else if (encrypted[i]) {
          out.update(o, protect(row, i));
        } else if (policies.maskShow[i] != null) {
          out.update(o, UTF8String.fromString(maskers[i].mask(row.getUTF8String(i).toString())));
        } else {
          clear.copy(row, i, out, o);
        }
      }
      rows++;
      return out;
    }

    /**
     * Seals the row's raw text as one cell under this partition's DEK and adds it to the task's
     * quarantine file; the row does not reach the dataset. Its partly parsed fields are dropped.
     */
    private void quarantine(InternalRow row) {
      UTF8String text = row.getUTF8String(types.length);
      String source = row.isNullAt(types.length + 1) ? "" : row.getUTF8String(types.length + 1).toString();
      int n = text.numBytes();
      byte[] plain = scratch.ensure(n);
      text.writeToMemory(plain, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET);
      byte[] cell = keys.sealQuarantined(plain, n);
      long line = -1;
      if (!source.isEmpty()) {
        if (lines == null) {
          lines = new LineCursor(InputRows.hadoopConf(), plan.inputCharset);
        }
        line = lines.lineOf(InputReader.sourcePath(source), text.toString());
      }
      if (quarantineFile == null) {
        TaskContext tc = TaskContext.get();
        String name = String.format("part-%05d-%d-%d.parquet", tc == null ? 0 : tc.partitionId(),
            tc == null ? 0 : tc.attemptNumber(), tc == null ? 0L : tc.taskAttemptId());
        quarantineFile = QuarantineFile.create(InputRows.hadoopConf(),
            new org.apache.hadoop.fs.Path(plan.quarantineDir, name), plan.datasetId);
      }
      quarantineFile.add(InputReader.sourcePath(source).toString(), line, cell);
      quarantined++;
    }

    /** The output value of sealed column {@code ordinal}: a cell (binary or base64), fpe digits or a token. */
    private Object protect(InternalRow row, int ordinal) {
      int k = slot[ordinal];
      Object value;
      switch (policies.protectionOf[k]) {
        case RANDOMIZED: {
          CellEncryptor.Column column = keys.column(k);
          int len = InternalCells.encode(row, ordinal, column.spec(), scratch, binary);
          byte[] cell = len < 0 ? column.seal(binary[0]) : column.seal(scratch.bytes, 0, len);
          value = plan.encoding.toInternal(cell);
          break;
        }
        case DETERMINISTIC: {
          // Under the domain key, not the group's DEK: no GenerateDataKey for this column.
          ColumnSpec spec = spec(k);
          int len = InternalCells.encode(row, ordinal, spec, scratch, binary);
          DeterministicCipher c = domains.deterministic(k);
          byte[] cell = len < 0 ? c.seal(spec, binary[0]) : c.seal(spec, scratch.bytes, 0, len);
          value = plan.encoding.toInternal(cell);
          break;
        }
        case FPE: {
          try {
            value = UTF8String.fromBytes(domains.fpe(k).encryptAscii(spec(k).column(), row.getUTF8String(ordinal).getBytes()));
          } catch (FpeInputException e) {
            throw refusedByFpe(row, e);
          }
          break;
        }
        case TOKEN: {
          ColumnSpec spec = spec(k);
          int len = InternalCells.encode(row, ordinal, spec, scratch, binary);
          Tokenizer t = domains.tokenizer(k);
          value = UTF8String.fromString(len < 0 ? t.token(spec, binary[0]) : t.token(spec, scratch.bytes, 0, len));
          break;
        }
        default:
          throw new IllegalStateException("protection " + policies.protectionOf[k].configName() + " of column "
              + plan.inputSchema.fields()[ordinal].name() + " is not sealed");
      }
      cells[k]++;
      return value;
    }

    private ColumnSpec spec(int k) {
      if (specs[k] == null) {
        specs[k] = plan.columnSpec(k);
      }
      return specs[k];
    }

    /**
     * A value fpe cannot take (not digits, too short, bad Luhn) fails the task like a malformed
     * row: the message names the column, the input file when known and the row of the task; the
     * primitive's message says what is wrong, never the value.
     */
    private InputException refusedByFpe(InternalRow row, FpeInputException e) {
      String file = plan.checksMalformed && !row.isNullAt(types.length + 1)
          ? " in " + InputReader.sourcePath(row.getUTF8String(types.length + 1).toString())
          : plan.failFast ? MalformedRowFailure.currentFile().map(f -> " in " + f).orElse("") : "";
      // The primitive's message names the column and what is wrong (position, length), never the value.
      return new InputException(e.getMessage() + file + " (row " + (rows + quarantined + 1) + " of task partition "
          + (TaskContext.get() == null ? 0 : TaskContext.get().partitionId()) + ")");
    }

    /** Finishes the task's quarantine file, or deletes it if the task failed. */
    private void closeQuarantine(boolean failed) {
      if (lines != null) {
        lines.close();
      }
      if (quarantineFile != null) {
        if (failed) {
          quarantineFile.discard();
        } else {
          quarantineFile.close();
        }
      }
    }

    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      keys.closeAll();
      domains.closeAll();
      closeQuarantine(false);
      if (quarantineFile != null) {
        ledger.quarantineFiles.add(quarantineFile.path().getName());
      }
      ledger.quarantined += quarantined;
      ledger.rows += rows;
      for (int k = 0; k < cells.length; k++) {
        ledger.addCells(k, cells[k], cells.length);
      }
    }
  }
}
