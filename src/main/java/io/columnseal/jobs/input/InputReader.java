package io.columnseal.jobs.input;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the encrypt input. A malformed CSV row must fail the job naming its file and line, never
 * its text, which Spark's own FAILFAST message quotes. Two ways: when the sealer reads the scan
 * in its own task ({@link #readForSealing}, encrypt's default), the CSV is read FAILFAST with no
 * extra column and the sealer turns Spark's failure into our message ({@link
 * MalformedRowFailure}). Otherwise CSV rows carry two columns of ours after the data columns,
 * Spark's corrupt-record column and the source file, which costs a copy of every good row in
 * Spark's parser (docs/BENCHMARKS.md).
 */
public final class InputReader {
  static final String CORRUPT_COLUMN = "_columnseal_corrupt_record";
  static final String FILE_COLUMN = "_columnseal_source_file";
  public static final String INTERNAL_PREFIX = "_columnseal_";

  /** The rows to seal: data columns first, then (CSV) the corrupt-record and file columns. */
  public static final class Input {
    public final Dataset<Row> rows;
    public final StructType dataSchema;
    public final boolean checksMalformed;
    /**
     * CSV read FAILFAST, no extra column: a malformed row throws from the scan's iterator, and
     * only a consumer in the scan's own task may see it ({@link MalformedRowFailure}).
     */
    public final boolean failFast;
    /** Answers whether there are rows without parsing one (FAILFAST would throw on the driver's probe). */
    private final Dataset<Row> emptinessProbe;

    public Input(Dataset<Row> rows, StructType dataSchema, boolean checksMalformed) {
      this(rows, dataSchema, checksMalformed, false, rows);
    }

    private Input(Dataset<Row> rows, StructType dataSchema, boolean checksMalformed, boolean failFast,
        Dataset<Row> emptinessProbe) {
      this.rows = rows;
      this.dataSchema = dataSchema;
      this.checksMalformed = checksMalformed;
      this.failFast = failFast;
      this.emptinessProbe = emptinessProbe;
    }

    /** True when the input has no row (a Spark job reading at most one row). */
    public boolean isEmpty() {
      return emptinessProbe.isEmpty();
    }
  }

  static final String TIME_PARSER_POLICY = "spark.sql.legacy.timeParserPolicy";

  private InputReader() {}

  /**
   * A clone of {@code spark} for encrypt's read and write: with Spark's default time parser
   * policy (EXCEPTION), a date or timestamp the new parser rejects but the old one would take
   * fails with SparkUpgradeException, whose message quotes the value and is not a bad record.
   * CORRECTED makes it an ordinary malformed row. Spark reads the policy from the session that
   * runs the job (not a reader option), so the clone must run the write too; the caller's
   * session is never changed. A policy of LEGACY set by the caller is kept.
   */
  public static SparkSession sessionForReading(SparkSession spark) {
    SparkSession clone = spark.cloneSession();
    if (!"LEGACY".equalsIgnoreCase(spark.conf().get(TIME_PARSER_POLICY, "EXCEPTION"))) {
      clone.conf().set(TIME_PARSER_POLICY, "CORRECTED");
    }
    return clone;
  }

  /** The input with the corrupt-record and file columns on CSV rows: for any consumer. */
  public static Input read(SparkSession spark, InputSpec s) {
    return read(spark, s, false);
  }

  /**
   * The input for a sealer that consumes the scan in the scan's own task: {@code sameTask} is
   * false when the rows are repartitioned first, as the parse then fails in another stage, whose
   * failure Spark logs with the row. With {@code input.malformed=fail} and the same task, a CSV
   * is read FAILFAST (see {@link Input#failFast}).
   */
  public static Input readForSealing(SparkSession spark, InputSpec s, boolean sameTask) {
    return read(spark, s, sameTask && s.malformed == MalformedRows.FAIL);
  }

  private static Input read(SparkSession spark, InputSpec s, boolean failFast) {
    refuseColumnsealDataset(spark.sparkContext().hadoopConfiguration(), s.inputPath);
    try {
      if ("parquet".equals(s.inputFormat)) {
        DataFrameReader r = spark.read().options(s.inputOptions);
        if (s.inputSchema != null) {
          r = r.schema(StructType.fromDDL(s.inputSchema));
        }
        Dataset<Row> df = r.parquet(s.inputPath);
       return new Input(df, df.schema(), false);
      }
      return readCsv(spark, s, failFast);
    } catch (AnalysisException e) {
      throw new ConfigException("Cannot read input.path " + s.inputPath + ": " + firstLine(e.getMessage()));
    }
  }

 private static Input readCsv(SparkSession spark, InputSpec s, boolean failFast) throws AnalysisException {
    Map<String, String> options = csvOptions(s.inputOptions);
    HeaderWarnings.quiet();
    // Always our reserved name, in every mode: Spark leaves the column of that name out of the
    // parse, so a real column named like it (Spark's default _corrupt_record, or a user's choice)
    // would shift the fields after it. The prefix is refused in the data below.
    options.put("columnNameOfCorruptRecord", CORRUPT_COLUMN);
    if (Boolean.parseBoolean(option(options, "header"))) {
      // Before any KMS call or data read: with a schema, building the read only lists the files.
      StructType listing = new StructType().add(INTERNAL_PREFIX + "files", DataTypes.StringType);
      String[] files = spark.read().options(options).schema(listing).csv(s.inputPath).inputFiles();
      // The read's own Hadoop settings (fs.* given as input.options reach Spark's read too).
      org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(
          spark.sparkContext().hadoopConfiguration());
      options.forEach(conf::set);
      HeaderLines.refuseFilesWithoutHeader(conf, files, options);
    }
    // EncryptSettings refuses quarantine with a mode other than PERMISSIVE, and with Parquet.
    boolean dropMalformed = "DROPMALFORMED".equalsIgnoreCase(option(options, "mode"));
    StructType data = s.inputSchema != null
        ? StructType.fromDDL(s.inputSchema)
        : spark.read().options(options).csv(s.inputPath).schema();
    if (s.inputSchema == null) {
      if (data.isEmpty()) {
        throw new InputException("input.path " + s.inputPath + " is empty (no header, no rows): nothing to encrypt");
      }
      if (Boolean.parseBoolean(option(options, "header"))) {
        refuseRepeatedHeaderNames(spark, options, s.inputPath);
      }
    }
    // Before our own columns join the schema: a header that already holds one would be taken for it.
    for (String name : data.fieldNames()) {
      if (name.startsWith(INTERNAL_PREFIX)) {
        throw new ConfigException("input column " + name + " uses the prefix " + INTERNAL_PREFIX
            + " that columnseal reserves for its own columns; rename it");
      }
    }
    if (dropMalformed) {
      Dataset<Row> df = spark.read().options(options).schema(data).csv(s.inputPath);
     return new Input(df, data, false);
    }
    options.keySet().removeIf(k -> k.equalsIgnoreCase("mode"));
    if (failFast) {
      options.put("mode", "PERMISSIVE");
      // PERMISSIVE never throws: the driver's probe for rows must not fail with Spark's message,
      // which would quote the row (in the executor's log too).
      Dataset<Row> probe = spark.read().options(options).schema(data).csv(s.inputPath);
      options.put("mode", "FAILFAST");
      Dataset<Row> rows = spark.read().options(options).schema(data).csv(s.inputPath);
      return new Input(rows, data, false, true, probe);
    }
    options.put("mode", "PERMISSIVE");
    StructType withCorrupt = data.add(CORRUPT_COLUMN, DataTypes.StringType, true);
    Dataset<Row> raw = spark.read().options(options).schema(withCorrupt).csv(s.inputPath);
    List<Column> cols = new ArrayList<>();
    for (String name : data.fieldNames()) {
      cols.add(raw.col(quote(name)));
    }
    cols.add(raw.col(CORRUPT_COLUMN));
    cols.add(functions.col("_metadata.file_path").as(FILE_COLUMN));
   return new Input(raw.select(cols.toArray(new Column[0])), data, true);
  }

  /**
   * Refuses an input that reads the files of a columnseal dataset (no double encryption): the
   * folder itself, or a glob of its files ({@code enc/*.parquet}), or of one of its partition
   * folders ({@code enc/country=DE/*}). A path that matches nothing is left to Spark to report.
   */
  static void refuseColumnsealDataset(Configuration conf, String inputPath) {
    Path p = new Path(inputPath);
    try {
      FileSystem fs = p.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null) {
        return;
      }
      Set<Path> folders = new LinkedHashSet<>();
      for (FileStatus st : matches) {
        folders.add(st.isDirectory() ? st.getPath() : st.getPath().getParent());
      }
      for (Path folder : folders) {
        // Up through partition folders (name=value) to the dataset root.
        for (Path d = folder; d != null; d = d.getName().contains("=") ? d.getParent() : null) {
          if (DatasetFiles.existsNonEmpty(conf, new Path(d, DatasetFiles.MANIFEST_DIR))) {
            throw new InputException("input.path " + inputPath + " is already a columnseal dataset (" + d + " has "
                + DatasetFiles.MANIFEST_DIR + "/); refusing to encrypt it twice: decrypt it first, or point at the"
                + " plaintext");
          }
        }
      }
    } catch (IOException e) {
      // Spark lists the path next and reports what is wrong with it, in its own words.
    }
  }

  /**
   * Spark silently renames repeated CSV header names (card_number, CARD_NUMBER become
   * card_number1, CARD_NUMBER2), so a repeat would pass unnoticed; it is refused instead, as
   * EncryptPlanning refuses case-colliding names in a given schema.
   */
  private static void refuseRepeatedHeaderNames(SparkSession spark, Map<String, String> options, String path) {
    Map<String, String> headerAsRow = new HashMap<>();
    options.forEach((k, v) -> {
      if (!k.equalsIgnoreCase("header") && !k.equalsIgnoreCase("inferSchema")) {
        headerAsRow.put(k, v);
      }
    });
    headerAsRow.put("header", "false");
    List<Row> first = spark.read().options(headerAsRow).csv(path).limit(1).collectAsList();
    if (first.isEmpty()) {
      return;
    }
    Map<String, String> seen = new HashMap<>();
    Row header = first.get(0);
    for (int i = 0; i < header.size(); i++) {
      String name = header.isNullAt(i) ? "" : header.getString(i);
      if (name.isEmpty()) {
        continue;
      }
      String prev = seen.put(name.toLowerCase(Locale.ROOT), name);
      if (prev != null) {
        throw new ConfigException("Cannot read input.path " + path + ": its CSV header has columns " + prev + " and "
            + name + " whose names differ only in case (or repeat); Spark cannot tell them apart: rename one in the"
            + " file, or name the columns with input.schema");
      }
    }
  }

  /**
   * The Spark CSV options encrypt reads with: RFC 4180 unless the spec says otherwise. A header
   * line, and a quote character that escapes itself (a quote inside a quoted field is written
   * twice), as columnseal's own CSV output writes it. Spark's default escape is a backslash,
   * which reads such a field as unquoted text, quotes and all, without any error.
   */
  static Map<String, String> csvOptions(Map<String, String> given) {
    // Case-insensitive, as Spark's options are: a given Header replaces the default, never joins it.
    Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    options.put("header", "true");
    options.putAll(given);
    if (option(options, "escape") == null) {
      String quote = option(options, "quote");
      options.put("escape", quote == null || quote.isEmpty() ? "\"" : quote);
    }
    return options;
  }

  static String option(Map<String, String> options, String key) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /**
   * The 1-based line of {@code file} where {@code record} starts, or -1. Runs only on the
   * failure path, in the executor that met the row; the record text stays in memory.
   */
  public static long lineOf(Configuration conf, Path file, String record, String charset) {
    try (LineCursor cursor = new LineCursor(conf, charset)) {
      return cursor.lineOf(file, record);
    }
  }

  /** The file of Spark's {@code _metadata.file_path}, which is URL-encoded ("landing%20zone"). */
  public static Path sourcePath(String metadataFilePath) {
    try {
      return new Path(new URI(metadataFilePath));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return new Path(metadataFilePath);
    }
  }

  public static String charsetOf(Map<String, String> options) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (k.equals("encoding") || k.equals("charset")) {
        return e.getValue();
      }
    }
    return "UTF-8";
  }
}
