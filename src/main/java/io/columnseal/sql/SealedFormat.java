package io.columnseal.sql;

import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.decrypt.CellOpening;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.jobs.decrypt.PageReaderSettings;
import io.columnseal.kms.KeyServices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.FileFormat$;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat$;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Function1;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * How Spark reads a columnseal dataset's live files: Spark's own Parquet reader, with columnseal
 * deciding per query what it reads and how it opens it. A query of clear columns is a plain
 * Parquet scan (columnar batches, filters pushed down, no key asked for). A page-mode dataset's
 * encrypted columns are decrypted by Parquet itself under columnseal's factory (docs/FORMAT.md
 * section 12), still in columnar batches. A cell-mode dataset's encrypted columns are read as
 * stored cells with each row's index and opened row by row by the decrypt room's opener
 * (file-bound DEKs, the per-caller DEK cache, unwrapped on the executors, only for the files a
 * task reads). Nothing is written through it.
 */
final class SealedFormat extends ParquetFileFormat {
  private static final long serialVersionUID = 1L;
  /** The name an unreadable page-mode column is read under: no file has it, so Parquet reads nulls. */
  private static final String UNREAD = "__columnseal_unread_";

  private final transient DatasetSnapshot snap;
  private final transient ReadSettings settings;
  private final String description;
  private final boolean page;
  /** Columns opened by columnseal (cells) or Parquet (pages); raw columns and tokens are not among them. */
  private final Set<String> sealed;
  /** Each stored column's type in the files (a cell-mode encrypted column: binary or base64 text). */
  private final Map<String, DataType> stored;

  SealedFormat(DatasetSnapshot snap, ReadSettings settings, boolean page, Set<String> sealed,
      Map<String, DataType> stored, String description) {
    this.snap = snap;
    this.settings = settings;
    this.page = page;
    this.sealed = new HashSet<>(sealed);
    this.stored = new HashMap<>(stored);
    this.description = description;
  }

  /**
   * A cell-mode file is read whole by one task: a cell's replay and order checks compare it with
   * the cells read before it in its file (a task starting mid-file would miss a copied cell). A
   * page-mode file splits by row groups, as Parquet's own.
   */
  @Override
  public boolean isSplitable(SparkSession spark, scala.collection.immutable.Map<String, String> options,
      org.apache.hadoop.fs.Path path) {
    return page;
  }

  /** Columnar batches unless the query opens cells (then rows, each opened by the opener). */
  @Override
  public boolean supportBatch(SparkSession spark, StructType schema) {
    if (!page && Arrays.stream(schema.fieldNames()).anyMatch(sealed::contains)) {
      return false;
    }
    return super.supportBatch(spark, schema);
  }

  @Override
  public Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> buildReaderWithPartitionValues(
      SparkSession spark, StructType dataSchema, StructType partitionSchema, StructType requiredSchema,
      Seq<Filter> filters, scala.collection.immutable.Map<String, String> options, Configuration hadoopConf) {
    // A factory set session-wide for plain Parquet reads never decrypts for this reader, and a
    // query of clear columns must ask for no key at all.
    hadoopConf.unset(PageFormat.FACTORY_KEY);
    // Nor do columnseal keys set session-wide for such reads (another dataset's manifest path,
    // MAC key, allowed keys): this scan sets its own.
    List<String> sessionKeys = new ArrayList<>();
    hadoopConf.forEach(e -> {
      if (e.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("columnseal.")) {
        sessionKeys.add(e.getKey());
      }
    });
    sessionKeys.forEach(hadoopConf::unset);
    List<String> opening = new ArrayList<>();
    Arrays.stream(requiredSchema.fieldNames()).filter(sealed::contains).forEach(opening::add);
    List<Filter> all = JavaConverters.seqAsJavaList(filters);
    Seq<Filter> clear = JavaConverters.asScalaBuffer(all.stream()
        .filter(f -> Arrays.stream(f.references()).noneMatch(sealed::contains)).toList()).toList();
    StructType files = storedTypes(dataSchema);
    if (opening.isEmpty()) {
      return super.buildReaderWithPartitionValues(spark, files, partitionSchema, requiredSchema, clear, options,
          hadoopConf);
    }
    KeyTrust.check(settings.allowedKeys, snap.state, KeyServices.shared(settings.keyService), "read");
    if (page) {
      return pages(spark, files, partitionSchema, requiredSchema, opening, clear, options, hadoopConf);
    }
    return cells(spark, files, partitionSchema, requiredSchema, opening, all, clear, options, hadoopConf);
  }

  /**
   * Page mode: Parquet decrypts the columns the caller may open, under columnseal's factory and
   * this query's keys; a column the caller may not open (onUndecryptable=null) is not read from
   * the files at all: it reads as null. Whether the caller may is probed on the driver, one DEK
   * per master key, before any file is read.
   */
  private Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> pages(SparkSession spark,
      StructType files, StructType partitionSchema, StructType required, List<String> opening, Seq<Filter> clear,
      scala.collection.immutable.Map<String, String> options, Configuration hadoopConf) {
    List<String> refused = new ArrayList<>(KeyAccess.refused(snap, settings.keyService, opening,
        settings.onUndecryptable));
    List<String> left = new ArrayList<>(opening);
    left.removeAll(refused);
    if (!left.isEmpty() && KeyAccess.footerRefused(snap, settings.keyService, left, settings.onUndecryptable)) {
      refused.addAll(left);
      left.clear();
    }
    StructField[] read = required.fields().clone();
    for (int i = 0; i < read.length; i++) {
      if (refused.contains(read[i].name())) {
        read[i] = new StructField(UNREAD + i, read[i].dataType(), true, Metadata.empty());
      }
    }
    if (!left.isEmpty()) {
      PageReaderSettings.hadoopKeys(snap, settings.keyService, settings.allowedKeys, settings.manifestMacKey)
          .forEach(hadoopConf::set);
      // Each read column gets its own key group's DEK, not whatever its key metadata names.
      hadoopConf.set(PageFormat.COLUMNS_KEY, PageFormat.columnsValue(left));
    }
    Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> inner = super.buildReaderWithPartitionValues(
        spark, files, partitionSchema, new StructType(read), clear, options, hadoopConf);
    return left.isEmpty() ? inner : new PageFileReader(inner, snap.state.datasetId());
  }

  /**
   * Cell mode: the required columns as stored plus each row's index in its file, no partition
   * values (added after opening), as rows; deterministic and fpe equalities compared as stored
   * values first. Domain keys are resolved here, on the driver; DEKs on the executors.
   */
  private Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> cells(SparkSession spark,
      StructType files, StructType partitionSchema, StructType required, List<String> opening, List<Filter> all,
      Seq<Filter> clear, scala.collection.immutable.Map<String, String> options, Configuration hadoopConf) {
    Map<String, DomainOpenings.Opening> domainKeys = new HashMap<>();
    List<String> refused = new ArrayList<>();
    for (String c : opening) {
      if (domainColumn(c)) {
        domainOpening(spark, c, domainKeys, refused);
      }
    }
    List<StoredEquality> compared = CipherFilters.of(all.toArray(new Filter[0]), snap, sealed,
        c -> stored.get(c) instanceof org.apache.spark.sql.types.BinaryType,
        c -> domainOpening(spark, c, domainKeys, refused), settings.keyService);
    List<String> chosen = new ArrayList<>(opening);
    chosen.removeAll(refused);
    DomainOpenings.Opening[] domains = new DomainOpenings.Opening[chosen.size()];
    for (int k = 0; k < domains.length; k++) {
      domains[k] = domainKeys.get(chosen.get(k));
    }
    StructType storedRequired = storedTypes(required);
    CellOpening.FileRows rows = CellOpening.fileRows(spark, snap, storedRequired, chosen, settings.keyService,
        FileBindings.of(snap, spark.sparkContext().hadoopConfiguration()), domains,
        settings.onUndecryptable == OnUndecryptable.NULL);
    StructField[] read = Arrays.copyOf(storedRequired.fields(), storedRequired.size() + 1);
    read[read.length - 1] = new StructField(ParquetFileFormat$.MODULE$.ROW_INDEX_TEMPORARY_COLUMN_NAME(),
        DataTypes.LongType, true, Metadata.empty()); // readers require it nullable (not in the file)
    // The sealed literals are tested per row only, never handed to Parquet: parquet-mr logs the
    // predicates it filters with (INFO), which would pair a query's plaintext with its cell.
    List<StoredEquality> tests = new ArrayList<>();
    for (StoredEquality e : compared) {
      tests.add(e.at(storedRequired.fieldIndex(e.column)));
    }
    int[] nulled = refused.stream().mapToInt(required::fieldIndex).toArray();
    scala.collection.immutable.Map<String, String> asRows = options.updated(FileFormat$.MODULE$.OPTION_RETURNING_BATCH(),
        "false");
    Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> inner = super.buildReaderWithPartitionValues(
        spark, files, new StructType(), new StructType(read), clear, asRows, hadoopConf);
    StructType output = new StructType(concat(required.fields(), partitionSchema.fields()));
    return new CellFileReader(inner, rows, tests.toArray(new StoredEquality[0]), nulled, output,
        !spark.sessionState().conf().parquetVectorizedReaderEnabled());
  }

  private static StructField[] concat(StructField[] a, StructField[] b) {
    StructField[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * {@code schema} with each column columnseal opens typed as stored in the files (cells). Other
   * columns keep the type Spark asks for: a clear struct column may be pruned to the fields the
   * query reads, and Parquet must read it so.
   */
  private StructType storedTypes(StructType schema) {
    StructField[] out = schema.fields().clone();
    for (int i = 0; i < out.length; i++) {
      DataType t = sealed.contains(out[i].name()) ? stored.get(out[i].name()) : null;
      if (t != null && !t.equals(out[i].dataType())) {
        out[i] = new StructField(out[i].name(), t, true, out[i].metadata());
      }
    }
    return new StructType(out);
  }

  /**
   * The domain opening of deterministic or fpe column {@code c} (its key unwrapped once, checked),
   * or null when the caller may not use it and onUndecryptable=null (then {@code c} is refused).
   */
  private DomainOpenings.Opening domainOpening(SparkSession spark, String c, Map<String, DomainOpenings.Opening> known,
      List<String> refused) {
    if (known.containsKey(c) || refused.contains(c)) {
      return known.get(c);
    }
    try {
      DomainOpenings.Opening o = DomainOpenings.resolve(snap, List.of(c), settings.domainStore, settings.allowedKeys,
          settings.keyService, spark.sparkContext().hadoopConfiguration())[0];
      known.put(c, o);
      return o;
    } catch (io.columnseal.kms.KmsAccessDeniedException | io.columnseal.jobs.domain.DomainKeyException e) {
      if (settings.onUndecryptable != OnUndecryptable.NULL) {
        throw e;
      }
      refused.add(c);
      return null;
    }
  }

  /** A deterministic or fpe column: opened with its domain's key, not a DEK. */
  private boolean domainColumn(String name) {
    return snap.state.schema().stream().anyMatch(c -> c.name().equals(name) && DomainOpenings.reversibleDomainColumn(c));
  }

  /** A columnseal dataset is written by the encrypt job only: an INSERT never writes plaintext into it. */
  @Override
  public OutputWriterFactory prepareWrite(SparkSession spark, Job job,
      scala.collection.immutable.Map<String, String> options, StructType dataSchema) {
    throw new UnsupportedOperationException("columnseal datasets are read-only to Spark: write them with"
        + " columnseal encrypt (" + description + ")");
  }

  @Override
  public String shortName() {
    return "columnseal";
  }

  /** What EXPLAIN shows as the scan's format: the dataset, never an option value or a cell. */
  @Override
  public String toString() {
    return description;
  }

  /** Parquet's format equals any other Parquet format; this one only itself (its dataset and options). */
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
