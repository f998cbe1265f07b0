package io.columnseal.jobs.decrypt;

import io.columnseal.jobs.dataset.DatasetException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.spark.rdd.InputFileBlockHolder;

/**
 * A page-mode read that Parquet's decryption refused, told in one line: the file (as Spark named
 * it when the task failed) and the cause (a GCM tag or footer signature that does not verify, a
 * file the manifest does not list, a DEK not bound to it), never key bytes or values.
 */
public final class PageReadFailure {
  private static final Pattern SPARK_FILE = Pattern.compile("Encountered error while reading file (\\S+?)\\.? Details");

  private PageReadFailure() {}

  /**
   * A one-line failure for {@code e} if Parquet's decryption caused it, else null. Spark names the
   * file of a page that fails, not of a footer whose signature fails: then {@code locate} is asked
   * for the first live file whose footer does not verify.
   */
  static DatasetException of(Throwable e, String datasetId, java.util.function.Supplier<String> locate) {
    String file = null;
    String cause = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      Matcher f = SPARK_FILE.matcher(m);
      if (file == null && f.find()) {
        file = f.group(1);
      }
      if (t instanceof ParquetCryptoRuntimeException || t instanceof javax.crypto.AEADBadTagException) {
        cause = m.split("\n")[0];
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (cause == null) {
      return null;
    }
    if (file == null && !cause.contains(" of dataset ")) {
      file = locate.get();
    }
    if (file != null && !cause.contains(fileName(file))) {
      return new DatasetException("page-mode file " + file + " of dataset " + datasetId + " does not decrypt: " + cause
          + " (a file renamed, moved, altered or written outside the dataset's runs)");
    }
    return new DatasetException(cause);
  }

  /**
   * The first of {@code files} whose footer does not verify with the read's keys in {@code conf}
   * (its signature, made with the AAD of its path: a moved or renamed file fails), or null.
   */
  static String firstUnverifiedFooter(org.apache.hadoop.conf.Configuration conf, java.util.List<org.apache.hadoop.fs.Path> files) {
    for (org.apache.hadoop.fs.Path f : files) {
      try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
          org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(f, conf),
          org.apache.parquet.HadoopReadOptions.builder(conf, f).build())) {
        r.getFooter();
      } catch (ParquetCryptoRuntimeException | java.io.IOException e) {
        return f.toString();
      }
    }
    return null;
  }

  /**
   * The one line {@link #of} makes for {@code e}, a failure of a page-mode read of dataset
   * {@code datasetId} on an executor (a footer that does not verify is named by the file the task
   * was reading), or {@code e} itself rethrown when Parquet's decryption did not cause it.
   */
  public static RuntimeException oneLine(Exception e, String datasetId) {
    DatasetException refused = of(e, datasetId, PageReadFailure::readingFile);
    if (refused != null) {
      return refused;
    }
    throw io.columnseal.jobs.dataset.JobFailures.undeclared(e);
  }

  /** The file this task is reading (Spark's input file name), or null. */
  private static String readingFile() {
    String f = InputFileBlockHolder.getInputFilePath().toString();
    return f.isEmpty() ? null : f;
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
