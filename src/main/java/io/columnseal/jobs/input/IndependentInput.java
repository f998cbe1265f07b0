package io.columnseal.jobs.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The encrypt input read independently of the job's reader, for compare: CSV files are parsed
 * as RFC 4180 by Apache Commons CSV with only the dialect basics of {@link CsvDialect}, one task
 * per file, then typed to the input schema; Parquet is read with no reader options. A reader
 * option that misparses the input (Spark's backslash escape on RFC 4180 quotes) then makes the
 * decrypted copy differ from this, where comparing against the job's own reading would not.
 */
public final class IndependentInput {
  /** Rows read, and how many CSV records had a field count other than the schema's. */
  public static final class Read {
    public final Dataset<Row> rows;
    private final LongAccumulator badWidth;

    Read(Dataset<Row> rows, LongAccumulator badWidth) {
      this.rows = rows;
      this.badWidth = badWidth;
    }

    /** CSV records whose field count is not the schema's; known after an action on {@link #rows}. */
    public long recordsOfAnotherWidth() {
      return badWidth == null ? 0 : badWidth.value();
    }
  }

  private static final List<String> FILE_SELECTION = List.of("pathGlobFilter", "recursiveFileLookup",
      "modifiedBefore", "modifiedAfter", "ignoreMissingFiles");

  private IndependentInput() {}

  /** The input of {@code s}, typed as {@code schema} (the input schema encrypt used). */
  public static Read read(SparkSession spark, InputSpec s, StructType schema) {
    if ("parquet".equals(s.inputFormat)) {
      return new Read(spark.read().schema(schema).parquet(s.inputPath), null);
    }
    CsvDialect dialect = CsvDialect.of(s.inputOptions);
    List<String> files = Arrays.asList(spark.read().options(fileSelection(s.inputOptions)).text(s.inputPath)
        .inputFiles());
    LongAccumulator badWidth = spark.sparkContext().longAccumulator("columnseal.compare.recordsOfAnotherWidth");
    JavaRDD<Row> records = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, Math.max(1, files.size()))
        .flatMap(new FileRecords(dialect, schema.size(), badWidth,
            new SerializableConfiguration(spark.sparkContext().hadoopConfiguration())));
    StructType text = new StructType();
    for (int i = 0; i < schema.size(); i++) {
      text = text.add("c" + i, DataTypes.StringType, true);
    }
    Dataset<Row> raw = spark.createDataFrame(records, text);
    Column[] typed = new Column[schema.size()];
    for (int i = 0; i < schema.size(); i++) {
      StructField f = schema.fields()[i];
      Column c = functions.when(raw.col("c" + i).equalTo(dialect.nullValue), functions.lit(null))
          .otherwise(raw.col("c" + i));
      typed[i] = typed(c, f.dataType(), s.inputOptions).as(f.name());
    }
    return new Read(raw.select(typed), badWidth);
  }

  /** The options that choose which files Spark reads (not how it parses them), so both read the same files. */
  private static Map<String, String> fileSelection(Map<String, String> options) {
    Map<String, String> chosen = new java.util.HashMap<>();
    for (String k : FILE_SELECTION) {
      String v = InputReader.option(options, k);
      if (v != null) {
        chosen.put(k, v);
      }
    }
    return chosen;
  }

  /** Text to the schema's type, with the date and timestamp patterns the spec gives Spark. */
  private static Column typed(Column text, DataType type, Map<String, String> options) {
    String pattern = null;
    if (type.equals(DataTypes.DateType)) {
      pattern = InputReader.option(options, "dateFormat");
      if (pattern != null) {
        return functions.to_date(text, pattern);
      }
    } else if (type.equals(DataTypes.TimestampType)) {
      pattern = InputReader.option(options, "timestampFormat");
      if (pattern != null) {
        return functions.to_timestamp(text, pattern);
      }
    }
    return type.equals(DataTypes.StringType) ? text : text.cast(type);
  }

  /** One file's records as rows of text, in the executor. */
  private static final class FileRecords implements FlatMapFunction<String, Row> {
    private static final long serialVersionUID = 1L;
    private final CsvDialect dialect;
    private final int width;
    private final LongAccumulator badWidth;
    private final SerializableConfiguration conf;

    FileRecords(CsvDialect dialect, int width, LongAccumulator badWidth, SerializableConfiguration conf) {
      this.dialect = dialect;
      this.width = width;
      this.badWidth = badWidth;
      this.conf = conf;
    }

    @Override
    public Iterator<Row> call(String file) throws IOException {
      Path path = InputReader.sourcePath(file);
      CSVParser parser = CSVParser.parse(new InputStreamReader(open(path, conf.value()),
          Charset.forName(dialect.charset)), dialect.format());
      Iterator<CSVRecord> records = parser.iterator();
      if (dialect.header) {
        nextRecord(records, parser, path);
      }
      // Streams the file: one record in memory at a time.
      return new Iterator<>() {
        private Row ahead = advance();

        @Override
        public boolean hasNext() {
          return ahead != null;
        }

        @Override
        public Row next() {
          Row r = ahead;
          ahead = advance();
          return r;
        }

        private Row advance() {
          for (CSVRecord record = nextRecord(records, parser, path); record != null; record = nextRecord(records, parser, path)) {
            if (record.size() == width) {
              return RowFactory.create((Object[]) record.values());
            }
            badWidth.add(1);
          }
          return null;
        }
      };
    }

    /** The next record, or null at the end (the file is closed then). */
    private static CSVRecord nextRecord(Iterator<CSVRecord> records, CSVParser parser, Path path) {
      try {
        if (records.hasNext()) {
          return records.next();
        }
        parser.close();
        return null;
      } catch (IOException | RuntimeException e) {
        closeQuietly(parser);
        // The file and line only: the parser's own message may quote a field.
        throw new IllegalStateException("compare cannot read " + path + " as RFC 4180 CSV (near line "
            + parser.getCurrentLineNumber() + ")");
      }
    }

    private static void closeQuietly(CSVParser parser) {
      try {
        parser.close();
      } catch (IOException e) {
        // Already failing: the first error is the one reported.
      }
    }

    private static InputStream open(Path path, Configuration conf) throws IOException {
      FileSystem fs = path.getFileSystem(conf);
      InputStream in = fs.open(path);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      return codec == null ? in : codec.createInputStream(in);
    }
  }
}
