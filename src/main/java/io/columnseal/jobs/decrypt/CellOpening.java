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
    CellEncoding encoding = null;
    for (int k = 0; k < ordinals.length; k++) {
      ordinals[k] = stored.fieldIndex(chosen.get(k));
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
    Broadcast<Map<Long, WrappedDek>> deks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(snap.dekTable());
    OpeningPlan plan = new OpeningPlan(snap.state.datasetId(), stored, ordinals, types,
        encoding == null ? CellEncoding.BINARY : encoding, keyService, deks, extras.rows,
        extras.leftEncryptedAsBase64 ? leftEncrypted(stored, ordinals) : new int[0], true, extras.onError,
        extras.nullCells, bindings);
    plan.keyGroups = DecryptJob.keyGroups(snap, chosen);
    if (domains != null) {
      plan.domains = domains.clone();
      for (int k = 0; k < domains.length; k++) {
        if (domains[k] != null && plan.keyGroups != null) {
          plan.keyGroups[k] = null; // sealed under the domain key, not a DEK of the group
        }
      }
    }
    return new Opened(positioned.queryExecution().toRdd().toJavaRDD().mapPartitions(new PartitionOpener(plan)),
        plan.openedSchema());
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
