package io.columnseal.jobs.input;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Finds the 1-based line where a malformed CSV record starts, reading its file forward only.
 * The rows of one split reach a task in file order, so a task that quarantines many rows of a
 * split reads its file about once; rows that come out of order (a shuffle before sealing)
 * restart from the top, a bounded number of times. Runs in the executor, on the malformed-row path only; the
 * record text stays in memory.
 */
public final class LineCursor implements Closeable {
  /** Reads from the top again at most this often per task, so out-of-order rows cost bounded time. */
  private static final int MAX_RESCANS = 64;
  private final Configuration conf;
  private final Charset charset;
  private Path file;
  private BufferedReader reader;
  private long line;
  private int rescans;

  public LineCursor(Configuration conf, String charset) {
    this.conf = conf;
    this.charset = Charset.forName(charset);
  }

  /**
   * The line of {@code file} whose text equals the record's first line: the next one after
   * the line this cursor found last, else (rows of several splits of a file, after a shuffle)
   * the first one from the top. -1 if there is none or the file cannot be read.
   */
  public long lineOf(Path file, String record) {
    String first = firstLine(record);
    boolean fromTop = reader == null || !file.equals(this.file);
    long found = scan(file, first, fromTop);
    if (found < 0 && !fromTop && rescans < MAX_RESCANS) {
      rescans++;
      found = scan(file, first, true);
    }
    return found;
  }

  private long scan(Path file, String first, boolean fromTop) {
    try {
      if (fromTop) {
        close();
        open(file);
      }
      for (String l = reader.readLine(); l != null; l = reader.readLine()) {
        line++;
        if (l.equals(first)) {
          return line;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The line is a convenience: a file that cannot be re-read gives none.
    }
    close();
    return -1;
  }

  private void open(Path p) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    // Landing drops are often .csv.gz: count lines of the text Spark read, not of the raw bytes.
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
    InputStream raw = fs.open(p);
    InputStream in = codec == null ? raw : codec.createInputStream(raw);
    reader = new BufferedReader(new InputStreamReader(in, charset));
    file = p;
    line = 0;
  }

  private static String firstLine(String record) {
    int nl = record.indexOf('\n');
    String first = nl >= 0 ? record.substring(0, nl) : record;
    return first.endsWith("\r") ? first.substring(0, first.length() - 1) : first;
  }

  @Override
  public void close() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        // Read-only stream: nothing was lost.
      }
    }
    reader = null;
    file = null;
    line = 0;
  }
}
