package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.CellDecryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.CryptoException;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.MalformedCellException;
import io.columnseal.crypto.ReplayedCellException;
import io.columnseal.crypto.ValueCodec;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.CellPlacement;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.spark.InternalCells;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the chosen encrypted columns of one partition, on the executor. Each DEK a cell names
 * is looked up in the manifest's table and unwrapped once per executor ({@link DataKeyCache});
 * the task releases its keys when it ends. A cell that does not open fails the task naming its
 * column, file and row, or with {@code --on-error null} becomes null and is counted.
 */
final class PartitionOpener implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOpener.class);
  /** --on-error null: cells named in the log per task; the run summary counts them all. */
  private static final int MAX_WARNINGS = 10;

  private final OpeningPlan plan;
  /** DEKs KMS refused this caller, shared by the openings of one task's files (or null: per opening). */
  private final transient java.util.Set<DekId> refused;

  PartitionOpener(OpeningPlan plan) {
    this(plan, null);
  }

  PartitionOpener(OpeningPlan plan, java.util.Set<DekId> refused) {
    this.plan = plan;
    this.refused = refused;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return new Opening(rows);
  }

  /** A cell that names a DEK the manifest does not list: data written outside a committed run. */
  static final class UnknownDekException extends io.columnseal.ColumnsealException {
    private static final long serialVersionUID = 1L;

    UnknownDekException(String message) {
      super(message);
    }
  }

  /** A cell in a file the manifest does not bind its DEK to, or out of its file's counter order. */
  static final class MisplacedCellException extends io.columnseal.ColumnsealException {
    private static final long serialVersionUID = 1L;

    MisplacedCellException(String message) {
      super(message);
    }
  }

  private final class Opening implements Iterator<InternalRow> {
    private final Iterator<InternalRow> in;
    private final DataType[] types;
    private final int[] slot;
    private final ColumnSpec[] specs;
    /** Typed slots: a clear int or long column is copied without boxing. */
    private final SpecificInternalRow out;
    private final io.columnseal.jobs.spark.ClearValues clear;
    private final Map<DekId, CellDecryptor> open = new HashMap<>();
    private final Map<DekId, DataKeyCache.Lease> leases = new HashMap<>();
    private final Map<DekId, java.util.BitSet> counters = new HashMap<>();
    /** Per column k of a domain: its cipher and the task's lease on the domain key, closed at task end. */
    // Per chosen column, made on its first cell: no lookup or lambda per cell.
    private final AutoCloseable[] domainCiphers = new AutoCloseable[plan.ordinals.length];
    private final io.columnseal.jobs.domain.DomainKeyCache.Lease[] domainLeases =
        new io.columnseal.jobs.domain.DomainKeyCache.Lease[plan.ordinals.length];
    private DekId lastDek;
    private CellDecryptor lastDecryptor;
    private java.util.BitSet lastCounters;
    private final Map<Long, WrappedDek> deks;
    private long listedDek;
    private boolean listedKnown;
    /** Per column k: the last DEK whose key group matched the column's. */
    private final long[] groupDek;
    private final boolean[] groupChecked;
    private final boolean[] toBase64;
    private final CellPlacement placement;
    private UTF8String lastFileText;
    private org.apache.hadoop.fs.Path file;
    private int warnings;
    /** Ordinals of a positioned row's file path and row index. */
    private final int fileAt;
    private final int rowAt;
    /** DEKs KMS refused this caller (with deniedAsNull): their cells read as null, asked once per task. */
    private final java.util.Set<DekId> denied = refused != null ? refused : new java.util.HashSet<>();

    Opening(Iterator<InternalRow> in) {
      this.in = in;
      int n = plan.storedSchema.size();
      this.types = new DataType[n];
      this.fileAt = plan.rowIndexFirst ? n + 1 : n;
      this.rowAt = plan.rowIndexFirst ? n : n + 1;
      this.slot = new int[n];
      java.util.Arrays.fill(slot, -1);
      for (int i = 0; i < n; i++) {
        types[i] = plan.storedSchema.fields()[i].dataType();
      }
      this.specs = new ColumnSpec[plan.ordinals.length];
      this.groupDek = new long[specs.length];
      this.groupChecked = new boolean[specs.length];
      for (int k = 0; k < specs.length; k++) {
        slot[plan.ordinals[k]] = k;
        specs[k] = plan.columnSpec(k);
      }
      this.out = new SpecificInternalRow(plan.openedSchema());
      this.clear = new io.columnseal.jobs.spark.ClearValues(types);
      this.deks = plan.deks.value();
      this.toBase64 = new boolean[n];
      this.placement = plan.bindings == null ? null : new CellPlacement(plan.bindings);
      for (int o : plan.base64Ordinals) {
        toBase64[o] = true;
      }
      TaskContext tc = TaskContext.get();
      if (tc != null) {
        tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> releaseAll());
      }
    }

    @Override
    public boolean hasNext() {
      return in.hasNext();
    }

    @Override
    public InternalRow next() {
      if (!in.hasNext()) {
        throw new NoSuchElementException();
      }
      InternalRow row = in.next();
      if (placement != null) {
        moveToFileOf(row);
      }
      for (int i = 0; i < types.length; i++) {
        if (row.isNullAt(i)) {
          out.setNullAt(i);
        } else if (toBase64[i]) {
          out.update(i, CellEncoding.BASE64.toInternal(row.getBinary(i)));
        } else if (slot[i] < 0) {
          clear.copy(row, i, out, i);
        } else {
          Object value = openOrNull(row, i, slot[i]);
          if (value == null) {
            out.setNullAt(i);
          } else {
            out.update(i, value);
          }
        }
      }
      if (plan.rows != null) {
        plan.rows.add(1);
      }
      return out;
    }

    /**
     * The cell's value; for a cell that does not open, an {@link UnreadableCellException} that
     * says where it is, or (--on-error null) null, counted. KMS errors are never swallowed.
     */
    private Object openOrNull(InternalRow row, int ordinal, int k) {
      ColumnSpec spec = specs[k];
      try {
        if (plan.domains != null && plan.domains[k] != null) {
          return openDomain(row, ordinal, k, spec);
        }
        byte[] cell = plan.encoding == CellEncoding.BASE64
            ? decodeBase64(row.getUTF8String(ordinal), spec)
            : row.getBinary(ordinal);
        if (placement != null && cell.length >= CellFormat.OVERHEAD_BYTES) {
          // Before any unwrap: a listed DEK of another file is refused, not opened (an unlisted
          // one is refused by decryptorFor).
          long dek = ValueCodec.getLong(cell, CellFormat.DEK_ID_OFFSET);
          refuseIfMisplaced(listed(dek) ? placement.bound(file, dek) : null);
        }
        refuseOtherKeyGroup(cell, k, spec);
        CellDecryptor d = decryptorFor(cell, spec);
        if (d == null) {
          return null; // a DEK this caller may not unwrap, read as null (onUndecryptable=null)
        }
        byte[] plaintext = d.open(spec, cell);
        checkNotReplayed(d.dekId(), cell, spec);
        if (placement != null) {
          refuseIfMisplaced(placement.ordered(file, rowOf(row), ordinal, spec.column(), d.dekId().asLong(),
              CellFormat.counterOf(cell)));
        }
        return InternalCells.decode(spec, plaintext);
      } catch (CryptoException | UnknownDekException | MisplacedCellException e) {
        UnreadableCellException where = new UnreadableCellException(spec.column(), fileOf(row), rowOf(row), e);
        if (plan.onError == OnCellError.FAIL) {
          throw where;
        }
        plan.nullCells[k].add(1);
        if (warnings++ < MAX_WARNINGS) {
          LOG.warn("{}; written as null (--on-error null)", where.getMessage());
        }
        return null;
      }
    }

    /**
     * A deterministic cell under the domain key the manifest names (the key id in the cell is a
     * hint: a cell naming another key is refused), or fpe digits back to the original digits.
     */
    private Object openDomain(InternalRow row, int ordinal, int k, ColumnSpec spec) {
      DomainOpenings.Opening d = plan.domains[k];
      if (d.deterministic()) {
        byte[] cell = plan.encoding == CellEncoding.BASE64
            ? decodeBase64(row.getUTF8String(ordinal), spec)
            : row.getBinary(ordinal);
        if (domainCiphers[k] == null) {
          domainCiphers[k] = io.columnseal.crypto.protect.DeterministicCipher.open(lease(k).key());
        }
        return InternalCells.decode(spec, ((io.columnseal.crypto.protect.DeterministicCipher) domainCiphers[k]).open(spec, cell));
      }
      if (domainCiphers[k] == null) {
        domainCiphers[k] = io.columnseal.crypto.protect.FormatPreservingCipher.open(lease(k).key(), d.fpeOptions());
      }
      io.columnseal.crypto.protect.FormatPreservingCipher f = (io.columnseal.crypto.protect.FormatPreservingCipher) domainCiphers[k];
      return UTF8String.fromBytes(f.decryptAscii(spec.column(), row.getUTF8String(ordinal).getBytes()));
    }

    private io.columnseal.jobs.domain.DomainKeyCache.Lease lease(int k) {
      if (domainLeases[k] == null) {
        domainLeases[k] = plan.domains[k].key.open(plan.keyService);
      }
      return domainLeases[k];
    }

    /**
     * Counters never repeat under a DEK, so a counter this task has already read means the cell
     * was copied over another row's cell. Seen counters are a bitset per DEK: one bit per cell.
     * A copy read by another task (another file) is not seen here.
     */
    private void checkNotReplayed(DekId id, byte[] cell, ColumnSpec spec) {
      long counter = CellFormat.counterOf(cell);
      if (counter > Integer.MAX_VALUE) {
        return;
      }
      java.util.BitSet seen = id.equals(lastDek) ? lastCounters : counters.computeIfAbsent(id, x -> new java.util.BitSet());
      if (seen.get((int) counter)) {
        throw new ReplayedCellException("cell in column " + spec.column() + " repeats nonce counter " + counter
            + " of DEK " + id + ", which a cell read before it already used: a cell copied from another row");
      }
      seen.set((int) counter);
    }

    /**
     * The decryptor of the DEK {@code cell} names. Cells of a partition nearly all share one DEK,
     * so the previous cell's is reused without a lookup; another DEK goes through the task's map.
     */
    private CellDecryptor decryptorFor(byte[] cell, ColumnSpec spec) {
      if (lastDecryptor != null && cell.length >= CellFormat.OVERHEAD_BYTES
          && ValueCodec.getLong(cell, CellFormat.DEK_ID_OFFSET) == lastDek.asLong()) {
        return lastDecryptor;
      }
      DekId id = CellFormat.dekIdOf(cell);
      CellDecryptor d = open.get(id);
      if (d == null) {
        WrappedDek w = deks.get(id.asLong());
        if (w == null) {
          throw new UnknownDekException("cell in column " + spec.column() + " of dataset " + spec.datasetId()
              + " names DEK " + id + ", which the manifest does not list (data written outside a committed run?)");
        }
        if (denied.contains(id)) {
          return null;
        }
        DataKeyCache.Lease lease;
        try {
          lease = DataKeyCache.shared().acquire(plan.keyService, id, w);
        } catch (io.columnseal.kms.KmsAccessDeniedException e) {
          if (plan.deniedAsNull == null) {
            throw e;
          }
          if (!plan.deniedAsNull) {
            throw e.withOutcome(refusal(w));
          }
          denied.add(id);
          return null;
        }
        leases.put(id, lease);
        d = CellDecryptor.open(lease.key());
        open.put(id, d);
      }
      lastDek = id;
      lastDecryptor = d;
      lastCounters = counters.computeIfAbsent(id, x -> new java.util.BitSet());
      return d;
    }


    /** The data source's one line for a DEK KMS refused: the columns it opens, its master key and key group. */
    private String refusal(WrappedDek w) {
      String group = w.encryptionContext().asMap().get(io.columnseal.jobs.dataset.KeyGroups.CONTEXT_KEY);
      java.util.List<String> columns = new java.util.ArrayList<>();
      for (int k = 0; k < specs.length; k++) {
        if (plan.domains != null && plan.domains[k] != null) {
          continue;
        }
        if (group == null || plan.keyGroups == null || group.equals(plan.keyGroups[k])) {
          columns.add(specs[k].column());
        }
      }
      return "this caller may not decrypt column(s) " + String.join(", ", columns) + " of dataset " + plan.datasetId
          + " (master key " + w.wrapped().keyArn() + (group == null ? "" : ", key " + group)
          + "); set onUndecryptable to null or raw to read them as null or as stored cells, or select other columns";
    }

    /** Whether the manifest lists DEK {@code dek}; the table never changes, so the last hit is kept. */
    private boolean listed(long dek) {
      if (listedKnown && dek == listedDek) {
        return true;
      }
      if (!deks.containsKey(dek)) {
        return false;
      }
      listedDek = dek;
      listedKnown = true;
      return true;
    }

    /**
     * A cell whose DEK is of another key group than its column's: refused before any unwrap.
     * The last DEK that passed for column k is kept: the answer depends on the DEK and k only.
     */
    private void refuseOtherKeyGroup(byte[] cell, int k, ColumnSpec spec) {
      if (plan.keyGroups != null && plan.keyGroups[k] != null && cell.length >= CellFormat.OVERHEAD_BYTES) {
        long dek = ValueCodec.getLong(cell, CellFormat.DEK_ID_OFFSET);
        if (groupChecked[k] && groupDek[k] == dek) {
          return;
        }
        refuseIfMisplaced(io.columnseal.jobs.dataset.KeyGroups.mismatch(spec.column(), plan.keyGroups[k],
            CellFormat.dekIdOf(cell), deks.get(dek)));
        groupDek[k] = dek;
        groupChecked[k] = true;
      }
    }

    private void refuseIfMisplaced(String why) {
      if (why != null) {
        throw new MisplacedCellException(why);
      }
    }

    /** The row's file, parsed once per file rather than per row. */
    private void moveToFileOf(InternalRow row) {
      if (row.isNullAt(fileAt)) {
        throw new MisplacedCellException("a row came without its file path, so its cells cannot be checked against "
            + "the manifest");
      }
      UTF8String text = row.getUTF8String(fileAt);
      if (!text.equals(lastFileText)) {
        lastFileText = text.clone();
        file = InputReader.sourcePath(text.toString());
      }
    }

    private String fileOf(InternalRow row) {
      if (!plan.positioned || row.isNullAt(fileAt)) {
        return "(unknown)";
      }
      return InputReader.sourcePath(row.getUTF8String(fileAt).toString()).toString();
    }

    private long rowOf(InternalRow row) {
      return plan.positioned && !row.isNullAt(rowAt) ? row.getLong(rowAt) : -1;
    }

    /** Base64 text is ASCII: its UTF-8 bytes are decoded as they are, without a String per cell. */
    private byte[] decodeBase64(UTF8String s, ColumnSpec spec) {
      try {
        return Base64.getDecoder().decode(s.getBytes());
      } catch (IllegalArgumentException e) {
        throw new MalformedCellException("column " + spec.column() + " holds text that is not base64");
      }
    }

    private void releaseAll() {
      for (CellDecryptor d : open.values()) {
        d.close();
      }
      leases.values().forEach(DataKeyCache.Lease::close);
      for (int k = 0; k < domainCiphers.length; k++) {
        try {
          if (domainCiphers[k] != null) {
            domainCiphers[k].close();
          }
        } catch (Exception e) {
          throw new IllegalStateException("closing the cipher of a domain column failed", e);
        } finally {
          domainCiphers[k] = null;
        }
        if (domainLeases[k] != null) {
          domainLeases[k].close();
          domainLeases[k] = null;
        }
      }
      open.clear();
      leases.clear();
      lastDecryptor = null;
    }
  }
}
