package io.columnseal.jobs.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Writes JSON reports (run summaries, verify reports) on any Hadoop filesystem. */
public final class RunSummaries {
  public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunSummaries() {}

  public static void write(Configuration conf, Path file, Object report) {
    try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
      JSON.writeValue(out, report);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report " + file, e);
    }
  }

  static String toJson(Object report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
