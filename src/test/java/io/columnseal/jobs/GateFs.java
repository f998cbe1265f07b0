package io.columnseal.jobs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local disk under the scheme {@code gate://}, which can hold every run that starts its
 * Spark write into one dataset folder until N runs have got there: they have all checked the
 * output and the manifest before any of them writes, so their manifest commits race for certain,
 * deterministically. A run starts its write by creating its work folder
 * {@code <dataset>/_temporary/<attempt>} (RunScopedCommitter).
 */
public final class GateFs extends RawLocalFileSystem {
  public static final String SCHEME = "gate";
  private static volatile CyclicBarrier barrier;
  private static volatile String gatedRoot;
  private static final Set<String> PASSED = ConcurrentHashMap.newKeySet();

  public static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", GateFs.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }

  public static String url(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  /** Holds the next {@code runs} runs writing into {@code dataset} until all of them are there. */
  public static void arm(java.nio.file.Path dataset, int runs) {
    PASSED.clear();
    gatedRoot = dataset.toAbsolutePath().toString();
    barrier = new CyclicBarrier(runs);
  }

  public static void disarm() {
    barrier = null;
    gatedRoot = null;
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    CyclicBarrier b = barrier;
    Path parent = f.getParent();
    if (b != null && parent != null && parent.getName().equals("_temporary") && parent.getParent() != null
        && parent.getParent().toUri().getPath().equals(gatedRoot) && PASSED.add(f.toUri().getPath())) {
      try {
        b.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("gate: interrupted");
      } catch (BrokenBarrierException | TimeoutException e) {
        throw new IOException("gate: the other runs never started their write", e);
      }
    }
    return super.mkdirs(f, permission);
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }
}
