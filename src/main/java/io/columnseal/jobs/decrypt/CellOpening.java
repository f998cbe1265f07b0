package io.columnseal.jobs.decrypt;

import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.KeyServiceSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The decrypt room's cell opening for readers in place (the {@code columnseal} data source):
 * the same {@link PartitionOpener}, DEK cache and file-binding checks as the decrypt job, over
 * rows the caller has already projected and filtered. A cell that does not open fails the task
 * naming its column, file and row.
 */
public final class CellOpening {
  private CellOpening() {}

  /**
   * @param positioned some stored columns of {@code snap}'s live files, then each row's
   *     {@code _metadata.file_path} and {@code _metadata.row_index}
   * @param chosen the encrypted columns of {@code positioned} to open (may be empty)
   * @return the stored columns, {@code chosen} opened to their original types
   */
  public static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> positioned,
      List<String> chosen, KeyServiceSpec keyService, FileBindings bindings) {
    return open(spark, snap, positioned, chosen, keyService, bindings, null);
  }

  /** As above; {@code domains}: per chosen column its domain opening (deterministic, fpe), or null. */
  public static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> positioned,
      List<String> chosen, KeyServiceSpec keyService, FileBindings bindings, DomainOpenings.Opening[] domains) {
    DataType[] types = new DataType[chosen.size()];
    for (int k = 0; k < types.length; k++) {
      types[k] = snap.originalType(chosen.get(k));
    }
    return open(spark, snap, positioned, chosen, types, keyService, bindings, domains, new Extras());
  }

  /**
   * As {@link #open(SparkSession, DatasetSnapshot, Dataset, List, KeyServiceSpec, FileBindings,
   * DomainOpenings.Opening[])}, as the opener's own rows (one reused row object per task: the
   * caller copies or projects each row before the next). A reader whose output is exactly these
   * columns hands them on without another projection of every row.
   */
  public static org.apache.spark.rdd.RDD<InternalRow> openRows(SparkSession spark, DatasetSnapshot snap,
      Dataset<Row> positioned, List<String> chosen, KeyServiceSpec keyService, FileBindings bindings,
      DomainOpenings.Opening[] domains) {
    DataType[] types = new DataType[chosen.size()];
    for (int k = 0; k < types.length; k++) {
      types[k] = snap.originalType(chosen.get(k));
    }
    return rows(spark, snap, positioned, chosen, types, keyService, bindings, domains, new Extras()).rows.rdd();
  }

  /**
   * The data source's opening of one file's rows: {@code stored} columns as Parquet reads them,
   * then each row's index in its file and its file path ({@code _metadata.file_path}'s form), with
   * the columns {@code chosen} opened to their original types. Made on the driver, used on the
   * executors; a DEK KMS refuses this caller reads as null ({@code deniedAsNull}) or fails the
   * task naming its columns and master key.
   */
  public static FileRows fileRows(SparkSession spark, DatasetSnapshot snap, StructType stored, List<String> chosen,
      KeyServiceSpec keyService, FileBindings bindings, DomainOpenings.Opening[] domains, boolean deniedAsNull) {
    int[] ordinals = new int[chosen.size()];
    DataType[] types = new DataType[chosen.size()];
    for (int k = 0; k < ordinals.length; k++) {
      ordinals[k] = stored.fieldIndex(chosen.get(k));
      types[k] = snap.originalType(chosen.get(k));
    }
    Broadcast<Map<Long, WrappedDek>> deks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(snap.dekTable());
    OpeningPlan plan = new OpeningPlan(snap.state.datasetId(), stored, ordinals, types,
        encodingOf(snap, stored, ordinals, domains), keyService, deks, null, new int[0], true, OnCellError.FAIL, null,
        bindings);
    plan.keyGroups = groupsOutsideDomains(DecryptJob.keyGroups(snap, chosen), domains);
    plan.domains = domains == null ? null : domains.clone();
    plan.rowIndexFirst = true;
    plan.deniedAsNull = deniedAsNull;
    return new FileRows(plan);
  }

  /** Opens the rows of one file after another, on an executor (see {@link #fileRows}). */
  public static final class FileRows implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final OpeningPlan plan;

    private FileRows(OpeningPlan plan) {
      this.plan = plan;
    }

    /** The opened schema: the stored columns with the chosen ones in their original types. */
    public StructType schema() {
      return plan.openedSchema();
    }

    /** DEKs KMS refused this caller, for this task's files: made on the executor (a task's copy). */
    private transient java.util.Set<io.columnseal.crypto.DekId> refused;

    /** One file's rows, opened; each row returned is reused for the next. */
    public java.util.Iterator<InternalRow> open(java.util.Iterator<InternalRow> positioned) {
      if (refused == null) {
        refused = new java.util.HashSet<>();
      }
      return new PartitionOpener(plan, refused).call(positioned);
    }
  }

  /** What the decrypt job adds to a reader's opening: its row counter, --on-error, CSV's base64. */
  static final class Extras {
    LongAccumulator rows;
    OnCellError onError = OnCellError.FAIL;
    LongAccumulator[] nullCells;
    /** Whether binary columns left sealed are written as base64 text (CSV output). */
    boolean leftEncryptedAsBase64;
  }

  /**
   * The one place cells are opened, for the data source and the decrypt job alike: the
   * {@link OpeningPlan} of {@code chosen} (opened as {@code types}; a column's name is the one its
   * cells' associated data binds) over {@code positioned}, and a {@link PartitionOpener} per task.
   */
  static Dataset<Row> open(SparkSession spark, DatasetSnapshot snap, Dataset<Row> positioned, List<String> chosen,
      DataType[] types, KeyServiceSpec keyService, FileBindings bindings, DomainOpenings.Opening[] domains,
      Extras extras) {
    Opened o = rows(spark, snap, positioned, chosen, types, keyService, bindings, domains, extras);
    return spark.internalCreateDataFrame(o.rows.rdd(), o.schema, false);
  }

  private record Opened(JavaRDD<InternalRow> rows, StructType schema) {}

  private static Opened rows(SparkSession spark, DatasetSnapshot snap, Dataset<Row> positioned,
      List<String> chosen, DataType[] types, KeyServiceSpec keyService, FileBindings bindings,
      DomainOpenings.Opening[] domains, Extras extras) {
    StructType all = positioned.schema();
    StructType stored = new StructType(Arrays.copyOf(all.fields(), all.size() - 2));
    int[] ordinals = new int[chosen.size()];
    for (int k = 0; k < ordinals.length; k++) {
      ordinals[k] = stored.fieldIndex(chosen.get(k));
    }
    CellEncoding encoding = encodingOf(snap, stored, ordinals, domains);
    Broadcast<Map<Long, WrappedDek>> deks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(snap.dekTable());
    OpeningPlan plan = new OpeningPlan(snap.state.datasetId(), stored, ordinals, types,
        encoding, keyService, deks, extras.rows,
        extras.leftEncryptedAsBase64 ? leftEncrypted(stored, ordinals) : new int[0], true, extras.onError,
        extras.nullCells, bindings);
    plan.keyGroups = groupsOutsideDomains(DecryptJob.keyGroups(snap, chosen), domains);
    plan.domains = domains == null ? null : domains.clone();
    return new Opened(positioned.queryExecution().toRdd().toJavaRDD().mapPartitions(new PartitionOpener(plan)),
        plan.openedSchema());
  }

  /** The cell encoding of the chosen columns (binary or base64; fpe digits are text either way). */
  private static CellEncoding encodingOf(DatasetSnapshot snap, StructType stored, int[] ordinals,
      DomainOpenings.Opening[] domains) {
    CellEncoding encoding = null;
    for (int k = 0; k < ordinals.length; k++) {
      if (domains != null && domains[k] != null && !domains[k].deterministic()) {
        continue; // fpe digits are text whatever the cell encoding
      }
      CellEncoding e = stored.fields()[ordinals[k]].dataType() instanceof BinaryType
          ? CellEncoding.BINARY : CellEncoding.BASE64;
      if (encoding != null && encoding != e) {
        throw new DatasetException("dataset " + snap.path + " mixes binary and base64 cells across columns");
      }
      encoding = e;
    }
    return encoding == null ? CellEncoding.BINARY : encoding;
  }

  /** Per chosen column its key group, none for a domain column (sealed under its domain key, not a DEK). */
  private static String[] groupsOutsideDomains(String[] groups, DomainOpenings.Opening[] domains) {
    if (groups != null && domains != null) {
      for (int k = 0; k < domains.length; k++) {
        if (domains[k] != null) {
          groups[k] = null;
        }
      }
    }
    return groups;
  }

  /** The binary columns of {@code stored} that are not opened: sealed cells a CSV writes as base64. */
  private static int[] leftEncrypted(StructType stored, int[] opened) {
    java.util.Set<Integer> open = new java.util.HashSet<>();
    for (int o : opened) {
      open.add(o);
    }
    java.util.List<Integer> out = new java.util.ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      if (!open.contains(i) && stored.fields()[i].dataType() instanceof BinaryType) {
        out.add(i);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
