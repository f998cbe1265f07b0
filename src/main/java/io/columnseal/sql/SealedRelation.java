package io.columnseal.sql;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.FileBindings;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.decrypt.CellOpening;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ColumnRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.PrunedFilteredScan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A columnseal dataset as a relation: the manifest's live files only (never a folder listing),
 * in the manifest's column order and original types. A scan reads only the columns a query
 * needs, hands filters on clear columns to Parquet, and opens encrypted columns through the
 * decrypt room's opener (file-bound DEKs, the per-caller DEK cache). A scan of clear columns
 * makes no KMS call.
 */
final class SealedRelation extends BaseRelation implements PrunedFilteredScan {
  private final transient SQLContext sqlContext;
  private final ReadSettings settings;
  private final transient DatasetSnapshot snap;
  private final StructType schema;
  /** The live files' schema as stored, inferred once when the relation was made: a scan reuses it. */
  private final StructType stored;
  private final Set<String> encrypted;
  private final Set<String> clear = new HashSet<>();
  /** With onUndecryptable=raw, the encrypted columns this caller could not open when the relation was made. */
  private final List<String> rawColumns;
  /** A page-mode dataset (docs/FORMAT.md section 12): Parquet decrypts its pages, no cell is opened. */
  private final boolean page;

  private SealedRelation(SQLContext sqlContext, ReadSettings settings, DatasetSnapshot snap, StructType schema,
      StructType stored, List<String> rawColumns) {
    this.sqlContext = sqlContext;
    this.settings = settings;
    this.snap = snap;
    this.schema = schema;
    this.stored = stored;
    this.encrypted = new HashSet<>(snap.state.encryptedColumns());
    // Tokens are not reversible: a reader gets them as written, like a clear column.
    snap.state.schema().stream().filter(DomainOpenings::keptAsWritten).forEach(c -> encrypted.remove(c.name()));
    for (StructField f : schema.fields()) {
      if (!encrypted.contains(f.name())) {
        clear.add(f.name());
      }
    }
    this.rawColumns = rawColumns;
    this.page = DatasetCellEncoding.isPage(snap.state);
  }

  /** Opens the manifest (refusing a dataset with an unfinished run); no KMS call unless manifest.macKey or raw. */
  static SealedRelation open(SQLContext sqlContext, ReadSettings s) {
    SparkSession spark = sqlContext.sparkSession();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetSnapshot snap = DatasetSnapshot.openComplete(conf, s.path, s.manifestPath,
        KeyTrust.macKey(s.keyService, s.manifestMacKey));
    if (DatasetCellEncoding.isPage(snap.state)) {
      return openPages(sqlContext, s, snap);
    }
    List<String> raw = List.of();
    if (s.onUndecryptable == OnUndecryptable.RAW) {
      // The schema must say now which columns stay cells: one probe per master key, here.
      List<String> all = new ArrayList<>(snap.state.encryptedColumns());
      snap.state.schema().stream().filter(c -> DomainOpenings.keptAsWritten(c) || DomainOpenings.reversibleDomainColumn(c))
          .forEach(c -> all.remove(c.name())); // their keys are domain keys: refused as they are read
      if (!all.isEmpty()) {
        KeyTrust.check(s.allowedKeys, snap.state, KeyServices.shared(s.keyService), "read");
        raw = KeyAccess.refused(snap, s.keyService, all, OnUndecryptable.RAW);
      }
    }
    StructType stored = snap.read(spark).schema();
    List<StructField> fields = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (!c.stored()) {
        continue; // dropped: recorded, never written
      }
      DataType type = c.encrypted() && !raw.contains(c.name()) && !DomainOpenings.keptAsWritten(c)
          ? snap.originalType(c.name())
          : stored.apply(c.name()).dataType();
      fields.add(new StructField(c.name(), type, true, org.apache.spark.sql.types.Metadata.empty()));
    }
    return new SealedRelation(sqlContext, s, snap, new StructType(fields.toArray(new StructField[0])), stored,
        raw);
  }

  /**
   * A page-mode dataset: the manifest's types for every stored column (the files hold the
   * plaintext types), with no footer read on the driver. onUndecryptable=raw is refused: a page
   * decrypts whole or not at all, so there is no stored cell to hand back.
   */
  private static SealedRelation openPages(SQLContext sqlContext, ReadSettings s, DatasetSnapshot snap) {
    if (s.onUndecryptable == OnUndecryptable.RAW) {
      throw new ConfigException("Cannot set onUndecryptable to raw for page-mode dataset " + snap.state.datasetId()
          + ": its columns are encrypted by page, so there are no stored cells to return; use fail or null");
    }
    List<StructField> fields = new ArrayList<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (c.stored()) {
        fields.add(new StructField(c.name(), snap.originalType(c.name()), true, org.apache.spark.sql.types.Metadata.empty()));
      }
    }
    StructType schema = new StructType(fields.toArray(new StructField[0]));
    return new SealedRelation(sqlContext, s, snap, schema, schema, List.of());
  }

  @Override
  public SQLContext sqlContext() {
    return sqlContext;
  }

  @Override
  public StructType schema() {
    return schema;
  }

  /** The scan hands back Spark's internal rows, already in this relation's types. */
  @Override
  public boolean needConversion() {
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  public RDD<Row> buildScan(String[] requiredColumns, Filter[] filters) {
    if (page) {
      return (RDD<Row>) (RDD<?>) io.columnseal.jobs.decrypt.PageReadFailure.oneLine(
          scanPages(requiredColumns, filters).queryExecution().toRdd(), snap.state.datasetId());
    }
    SparkSession spark = sqlContext.sparkSession();
    Dataset<Row> files = snap.read(spark, stored);
    FileSizes.check(snap, files, spark.sparkContext().hadoopConfiguration());
    Column metadata = files.metadataColumn("_metadata");
    Column where = ClearFilters.of(filters, clear);
    Dataset<Row> kept = where == null ? files : files.where(where);
    Map<String, DomainOpenings.Opening> domainKeys = new java.util.HashMap<>();
    List<String> refused = new ArrayList<>();
    Column compared = CipherFilters.of(filters, snap, openable(), files.schema().fields().length == 0 ? new DataType[0]
        : java.util.Arrays.stream(files.schema().fields()).map(StructField::dataType).toArray(DataType[]::new),
        List.of(files.schema().fieldNames()), c -> domainOpening(spark, c, domainKeys, refused), settings.keyService);
    if (compared != null) {
      kept = kept.where(compared);
    }
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(List.of(requiredColumns)));
    List<String> sealed = new ArrayList<>();
    wanted.stream().filter(encrypted::contains).filter(c -> !rawColumns.contains(c)).forEach(sealed::add);
    Dataset<Row> out;
    if (sealed.isEmpty()) {
      out = kept.select(columns(wanted));
    } else {
      KeyTrust.check(settings.allowedKeys, snap.state, KeyServices.shared(settings.keyService), "read");
      List<String> ofDeks = new ArrayList<>(sealed);
      ofDeks.removeIf(this::domainColumn);
      if (!ofDeks.isEmpty() && settings.onUndecryptable != OnUndecryptable.RAW) {
        refused.addAll(KeyAccess.refused(snap, settings.keyService, ofDeks, settings.onUndecryptable,
            PrunedFiles.deks(snap, kept, spark.sparkContext().hadoopConfiguration())));
      }
      for (String c : sealed) {
        if (domainColumn(c)) {
          domainOpening(spark, c, domainKeys, refused);
        }
      }
      List<String> opening = new ArrayList<>(sealed);
      opening.removeAll(refused);
      DomainOpenings.Opening[] domains = new DomainOpenings.Opening[opening.size()];
      for (int k = 0; k < domains.length; k++) {
        domains[k] = domainKeys.get(opening.get(k));
      }
      List<Column> positioned = new ArrayList<>(List.of(columns(wanted)));
      positioned.add(metadata.getField("file_path"));
      positioned.add(metadata.getField("row_index"));
      Dataset<Row> input = kept.select(positioned.toArray(new Column[0]));
      FileBindings bindings = FileBindings.of(snap, spark.sparkContext().hadoopConfiguration());
      if (refused.isEmpty() && wanted.size() == requiredColumns.length) {
        // The opener's rows are the wanted columns in order, in this relation's types: Spark's
        // scan projects them once; no select (a second projection of every row) in between.
        return (RDD<Row>) (RDD<?>) CellOpening.openRows(spark, snap, input, opening, settings.keyService, bindings,
            domains);
      }
      Dataset<Row> opened = CellOpening.open(spark, snap, input, opening, settings.keyService, bindings, domains);
      Column[] shaped = new Column[wanted.size()];
      for (int i = 0; i < shaped.length; i++) {
        String c = wanted.get(i);
        shaped[i] = refused.contains(c)
            ? functions.lit(null).cast(schema.apply(c).dataType()).as(c)
            : ClearFilters.col(c);
      }
      out = opened.select(shaped);
    }
    return (RDD<Row>) (RDD<?>) out.queryExecution().toRdd();
  }

  /**
   * A page-mode scan: the encrypted columns the caller may open are read through Parquet's
   * decryption ({@code PageDecryption}, named in this read's own options with the reader keys);
   * a scan with none of them reads the files with no decryption at all, so no KMS call. A column
   * the caller may not open is not read from the files: it reads as null (onUndecryptable=null),
   * or the query fails before any file is read (fail).
   */
  private Dataset<Row> scanPages(String[] requiredColumns, Filter[] filters) {
    SparkSession spark = sqlContext.sparkSession();
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(List.of(requiredColumns)));
    List<String> sealed = new ArrayList<>();
    wanted.stream().filter(encrypted::contains).forEach(sealed::add);
    List<String> refused = new ArrayList<>();
    if (!sealed.isEmpty()) {
      KeyTrust.check(settings.allowedKeys, snap.state, KeyServices.shared(settings.keyService), "read");
      refused.addAll(KeyAccess.refused(snap, settings.keyService, sealed, settings.onUndecryptable));
      List<String> left = new ArrayList<>(sealed);
      left.removeAll(refused);
      if (!left.isEmpty() && KeyAccess.footerRefused(snap, settings.keyService, left, settings.onUndecryptable)) {
        refused.addAll(left);
      }
    }
    List<String> opening = new ArrayList<>(sealed);
    opening.removeAll(refused);
    Dataset<Row> files = snap.readPages(spark, io.columnseal.jobs.decrypt.PageReaderSettings.hadoopKeys(snap,
        settings.keyService, settings.allowedKeys, settings.manifestMacKey), opening);
    FileSizes.check(snap, files, spark.sparkContext().hadoopConfiguration());
    Column where = ClearFilters.of(filters, clear);
    Dataset<Row> kept = where == null ? files : files.where(where);
    Column[] shaped = new Column[wanted.size()];
    for (int i = 0; i < shaped.length; i++) {
      String c = wanted.get(i);
      shaped[i] = refused.contains(c) ? functions.lit(null).cast(schema.apply(c).dataType()).as(c) : ClearFilters.col(c);
    }
    return kept.select(shaped);
  }

  /** Equalities on deterministic and fpe string columns are compared as cells by the scan (CipherFilters). */
  @Override
  public Filter[] unhandledFilters(Filter[] filters) {
    Set<String> openable = openable();
    return java.util.Arrays.stream(filters).filter(f -> !CipherFilters.handles(f, snap, openable)).toArray(Filter[]::new);
  }

  private Set<String> openable() {
    Set<String> out = new HashSet<>(encrypted);
    out.removeAll(rawColumns);
    return out;
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

  private static Column[] columns(List<String> names) {
    return names.stream().map(ClearFilters::col).toArray(Column[]::new);
  }

  /** What EXPLAIN shows: the dataset, never an option value (a keyring path, a profile) or a cell. */
  @Override
  public String toString() {
    return "columnseal dataset " + snap.state.datasetId() + " at " + redacted(settings.path) + " (manifest version "
        + snap.state.version() + ", onUndecryptable=" + settings.onUndecryptable.name().toLowerCase() + ")";
  }

  /** A URI's user info (s3a://KEY:SECRET@bucket) is a credential: never shown. */
  static String redacted(String path) {
    return path.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1***@");
  }
}
