package io.columnseal.jobs.input;

import io.columnseal.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * With a header, Spark drops the first line of every input file, header or not: a landing drop
 * where only the first file has one would lose a row per other file, silently (Spark's
 * CSVHeaderChecker only warns, quoting the line). So, before any Spark job, every file's first
 * record must equal the first file's, read with the job's dialect through Apache Commons CSV.
 * One small read per file (at most {@link #PREFIX_BYTES} of its text); nothing is quoted.
 */
final class HeaderLines {
  /** Enough for any header line; a first line longer than this is compared on this prefix. */
  static final int PREFIX_BYTES = 64 * 1024;

  private HeaderLines() {}

  /** Refuses (exit 2) the first file, in path order, whose first record is not the first file's. */
  static void refuseFilesWithoutHeader(Configuration conf, String[] inputFiles, Map<String, String> options) {
    if (inputFiles.length < 2 || InputReader.option(options, "lineSep") != null) {
      // One file has nothing to compare with; a custom lineSep is not a separator Commons CSV
      // parses (docs/jobs/encrypt.md says both are not checked).
      return;
    }
    List<Path> files = new ArrayList<>();
    for (String f : inputFiles) {
      // Spark gives URIs: "landing%20zone" is the folder "landing zone".
      files.add(new Path(URI.create(f)));
    }
    files.sort(null);
    CSVFormat format = format(options);
    Charset charset = Charset.forName(InputReader.charsetOf(options));
    Path first = null;
    List<String> header = null;
    for (Path file : files) {
      List<String> fields = firstRecord(conf, file, format, charset);
      if (fields == null) {
        // An empty file: Spark reads no row from it, and drops none.
        continue;
      }
      if (header == null) {
        first = file;
        header = fields;
      } else if (!normalized(fields).equals(normalized(header))) {
        throw new ConfigException(file + " does not start with the header line of " + first + ": " + how(fields, header)
            + "; Spark would drop its first line as a header; set input.options.header=false if no file has one");
      }
    }
  }

  /** Spark drops a header whatever its case and surrounding blanks: compare without them. */
  private static List<String> normalized(List<String> fields) {
    List<String> out = new ArrayList<>(fields.size());
    for (String f : fields) {
      out.add(f.strip().toLowerCase(java.util.Locale.ROOT));
    }
    return out;
  }

  /** Where they differ, by count and field number only: the line may be a row of data. */
  private static String how(List<String> fields, List<String> header) {
    fields = normalized(fields);
    header = normalized(header);
    if (fields.size() != header.size()) {
      return "its first line has " + fields.size() + " fields, the header " + header.size();
    }
    for (int i = 0; i < header.size(); i++) {
      if (!fields.get(i).equals(header.get(i))) {
        return "field " + (i + 1) + " of its first line differs from the header's";
      }
    }
    return "its first line differs from the header";
  }

  /** The job's dialect, as CsvDialect gives it to compare, with Spark's escape and comment. */
  private static CSVFormat format(Map<String, String> options) {
    CSVFormat.Builder b = CsvDialect.of(options).format().builder();
    String quote = InputReader.option(options, "quote");
    String escape = InputReader.option(options, "escape");
    if (escape != null && escape.length() == 1 && !escape.equals(quote == null ? "\"" : quote)) {
      b.setEscape(escape.charAt(0));
    }
    String comment = InputReader.option(options, "comment");
    if (comment != null && comment.length() == 1) {
      b.setCommentMarker(comment.charAt(0));
    }
    return b.build();
  }

  /** The first record of {@code file} (its first field without a byte order mark), or null if none. */
  private static List<String> firstRecord(Configuration conf, Path file, CSVFormat format, Charset charset) {
    byte[] prefix;
    try {
      FileSystem fs = file.getFileSystem(conf);
      // Landing drops are often .csv.gz: the header is in the text Spark reads.
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
      try (InputStream raw = fs.open(file); InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
        prefix = in.readNBytes(PREFIX_BYTES);
      }
    } catch (IOException e) {
      throw new InputException("Cannot read the header line of " + file + ": " + e.getClass().getSimpleName());
    }
    try (Reader r = new InputStreamReader(new ByteArrayInputStream(prefix), charset);
        CSVParser parser = CSVParser.parse(r, format)) {
      Iterator<CSVRecord> it = parser.iterator();
      List<String> fields = null;
      while (fields == null && it.hasNext()) {
        List<String> record = it.next().toList();
        // Spark skips lines that are blank before it takes the header.
        if (!record.stream().allMatch(String::isBlank)) {
          fields = new ArrayList<>(record);
        }
      }
      if (fields == null) {
        return null;
      }
      if (!fields.isEmpty() && fields.get(0).startsWith("\uFEFF")) {
        fields.set(0, fields.get(0).substring(1));
      }
      return fields;
    } catch (IOException | RuntimeException e) {
      // Commons CSV's message quotes the text it met: only its kind is shown.
      throw new InputException("Cannot parse the header line of " + file + " with input.options ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
