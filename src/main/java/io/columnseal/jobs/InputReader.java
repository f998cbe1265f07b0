package io.columnseal.jobs;

import io.columnseal.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
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
 * Reads the encrypt input. For CSV it adds two columns of ours after the data columns: Spark's
 * corrupt-record column and the source file, so a malformed row fails the job naming its file
 * and line without Spark's own FAILFAST message, which quotes the row.
 */
final class InputReader {
  static final String CORRUPT_COLUMN = "_columnseal_corrupt_record";
  static final String FILE_COLUMN = "_columnseal_source_file";
  static final String INTERNAL_PREFIX = "_columnseal_";

  /** The rows to seal: data columns first, then (CSV) the corrupt-record and file columns. */
  static final class Input {
    final Dataset<Row> rows;
    final StructType dataSchema;
    final boolean checksMalformed;

    Input(Dataset<Row> rows, StructType dataSchema, boolean checksMalformed) {
      this.rows = rows;
      this.dataSchema = dataSchema;
      this.checksMalformed = checksMalformed;
    }
  }

  private InputReader() {}

  static Input read(SparkSession spark, EncryptSettings s) {
    try {
      if ("parquet".equals(s.inputFormat)) {
        DataFrameReader r = spark.read().options(s.inputOptions);
        if (s.inputSchema != null) {
          r = r.schema(StructType.fromDDL(s.inputSchema));
        }
        Dataset<Row> df = r.parquet(s.inputPath);
        return new Input(df, df.schema(), false);
      }
      return readCsv(spark, s);
    } catch (AnalysisException e) {
      throw new ConfigException("Cannot read input.path " + s.inputPath + ": " + firstLine(e.getMessage()));
    }
  }

  private static Input readCsv(SparkSession spark, EncryptSettings s) throws AnalysisException {
    Map<String, String> options = new HashMap<>();
    options.put("header", "true");
    options.putAll(s.inputOptions);
    boolean dropMalformed = "DROPMALFORMED".equalsIgnoreCase(options.getOrDefault("mode", ""));
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
    if (dropMalformed) {
      Dataset<Row> df = spark.read().options(options).schema(data).csv(s.inputPath);
      return new Input(df, data, false);
    }
    options.put("mode", "PERMISSIVE");
    options.put("columnNameOfCorruptRecord", CORRUPT_COLUMN);
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

  private static String option(Map<String, String> options, String key) {
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
  static long lineOf(Configuration conf, Path file, String record, String charset) {
    String first = record;
    int nl = record.indexOf('\n');
    if (nl >= 0) {
      first = record.substring(0, nl);
    }
    first = first.endsWith("\r") ? first.substring(0, first.length() - 1) : first;
    Path p = file;
    try {
      FileSystem fs = p.getFileSystem(conf);
      // Landing drops are often .csv.gz: count lines of the text Spark read, not of the raw bytes.
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
      try (FSDataInputStream raw = fs.open(p);
           InputStream in = codec == null ? raw : codec.createInputStream(raw);
           BufferedReader r = new BufferedReader(new InputStreamReader(in, Charset.forName(charset)))) {
        long line = 0;
        for (String l = r.readLine(); l != null; l = r.readLine()) {
          line++;
          if (l.equals(first)) {
            return line;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The file of Spark's {@code _metadata.file_path}, which is URL-encoded ("landing%20zone"). */
  static Path sourcePath(String metadataFilePath) {
    try {
      return new Path(new URI(metadataFilePath));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return new Path(metadataFilePath);
    }
  }

  static String charsetOf(Map<String, String> options) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (k.equals("encoding") || k.equals("charset")) {
        return e.getValue();
      }
    }
    return "UTF-8";
  }
}
