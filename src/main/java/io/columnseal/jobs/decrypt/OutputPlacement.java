package io.columnseal.jobs.decrypt;

import io.columnseal.ConfigException;
import io.columnseal.manifest.Commit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Refuses a plaintext output that would land in or over the data it comes from: inside the
 * dataset or its manifest folder (a later encrypt, verify or overwrite would read or delete
 * plaintext as if it were the dataset's), inside the original input the manifest records, or
 * a folder that holds any of those (overwrite would delete them). Paths are compared fully
 * qualified (scheme, authority, normalised path), so {@code s3a://b/x} and {@code s3a://b/x/}
 * or {@code dir} and {@code ./dir} are the same place. Runs before any KMS call.
 */
final class OutputPlacement {
  private OutputPlacement() {}

  /** @throws ConfigException naming both paths when {@code output} overlaps one of them */
  static void check(Configuration conf, String output, String dataset, Path manifestDir, Iterable<Commit> history) {
    URI out = qualified(conf, new Path(output));
    refuse(out, output, qualified(conf, new Path(dataset)), "the dataset " + dataset);
    refuse(out, output, qualified(conf, manifestDir), "the dataset's manifest folder " + manifestDir);
    for (String input : recordedInputs(history)) {
      refuse(out, output, qualified(conf, new Path(input)), "the dataset's original input " + input
          + " (input.path of an encrypt run in the manifest)");
    }
  }

  /** The input paths of the runs the manifest records; a glob stands for the folder before its first wildcard. */
  static Set<String> recordedInputs(Iterable<Commit> history) {
    Set<String> inputs = new TreeSet<>();
    for (Commit c : history) {
      String input = c.operation().get("input");
      if (input != null && !input.isBlank()) {
        inputs.add(globRoot(input));
      }
    }
    return inputs;
  }

  static String globRoot(String path) {
    int wild = -1;
    for (int i = 0; i < path.length() && wild < 0; i++) {
      if ("*?[{".indexOf(path.charAt(i)) >= 0) {
        wild = i;
      }
    }
    if (wild < 0) {
      return path;
    }
    int slash = path.lastIndexOf('/', wild);
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  private static void refuse(URI out, String output, URI other, String what) {
    if (out.equals(other)) {
      throw new ConfigException("--output " + output + " is " + what + "; write the plaintext somewhere else");
    }
    if (inside(out, other)) {
      throw new ConfigException("--output " + output + " is inside " + what + "; write the plaintext somewhere else");
    }
    if (inside(other, out)) {
      throw new ConfigException("--output " + output + " holds " + what + "; write the plaintext somewhere else");
    }
  }

  /** Whether {@code child} is strictly below {@code parent}: same file system, path prefix at a '/' boundary. */
  static boolean inside(URI child, URI parent) {
    if (!same(child.getScheme(), parent.getScheme()) || !same(child.getAuthority(), parent.getAuthority())) {
      return false;
    }
    String p = parent.getPath();
    String c = child.getPath();
    String prefix = p.endsWith("/") ? p : p + "/";
    return c.length() > prefix.length() && c.startsWith(prefix);
  }

  private static boolean same(String a, String b) {
    return a == null ? b == null : b != null && a.equalsIgnoreCase(b);
  }

  /**
   * Scheme and authority lower-cased (bucket names are lower case; host names compare without
   * case), the path made absolute against the file system's working folder and normalised.
   */
  static URI qualified(Configuration conf, Path p) {
    try {
      URI u = p.getFileSystem(conf).makeQualified(p).toUri().normalize();
      String path = u.getPath() == null || u.getPath().isEmpty() ? "/" : u.getPath();
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return new URI(lower(u.getScheme()), lower(u.getAuthority()), path, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + p, e);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException("Cannot read path " + p + ": " + e.getMessage());
    }
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
