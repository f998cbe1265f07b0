package io.columnseal.jobs.input;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The input files of a run, each as a fingerprint of what the file system says about it (path,
 * size, modification time, ETag where the listing has one): the repeat guard's record. No file
 * content is read. docs/FORMAT.md 5.2 ({@code inputs}) gives the exact bytes.
 */
public final class InputFiles {
  private InputFiles() {}

  /** Fingerprint to qualified path, in path order; empty when the rows come from no file. */
  public static Map<String, String> of(Dataset<Row> rows, Configuration conf) {
    Map<Path, List<Path>> byFolder = new TreeMap<>();
    for (String f : rows.inputFiles()) {
      // Spark gives URIs: "landing%20zone" is the folder "landing zone".
      Path p = new Path(URI.create(f));
      byFolder.computeIfAbsent(p.getParent(), k -> new ArrayList<>()).add(p);
    }
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (Map.Entry<Path, List<Path>> e : byFolder.entrySet()) {
        FileSystem fs = e.getKey().getFileSystem(conf);
        // One listing per folder, not one HEAD per file: a landing drop holds thousands of files.
        Map<String, FileStatus> listed = new HashMap<>();
        for (FileStatus st : fs.listStatus(e.getKey())) {
          listed.put(fs.makeQualified(st.getPath()).toString(), st);
        }
        for (Path p : e.getValue()) {
          String qualified = fs.makeQualified(p).toString();
          FileStatus st = listed.get(qualified);
          if (st == null) {
            st = fs.getFileStatus(p);
          }
          out.put(fingerprint(qualified, st.getLen(), st.getModificationTime(), etag(st)), qualified);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the input files of the run", e);
    }
    return out;
  }

  /** First 16 bytes of SHA-256 over "path \n size \n mtime \n etag", lower-case hex. */
  static String fingerprint(String qualifiedPath, long size, long modifiedMillis, String etag) {
    String text = qualifiedPath + "\n" + size + "\n" + modifiedMillis + "\n" + (etag == null ? "" : etag);
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static String etag(FileStatus st) {
    return st instanceof EtagSource ? ((EtagSource) st).getEtag() : null;
  }
}
