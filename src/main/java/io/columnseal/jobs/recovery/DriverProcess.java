package io.columnseal.jobs.recovery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver JVM of an encrypt run, as its pending record names it: host, process id and the
 * process's start time. A later run reads it to tell a run that died from one that is still
 * between its data commit and its manifest commit, which it must leave alone. Only a driver on
 * the same host can be checked; elsewhere the answer is {@link Status#UNKNOWN}.
 */
public final class DriverProcess {
  /** Runs in progress in this JVM (registered for the whole of EncryptJob's run). */
  private static final Set<String> RUNNING = ConcurrentHashMap.newKeySet();
  /** /proc start times are in clock ticks; two readings of one process agree far closer than this. */
  private static final long START_TOLERANCE_MILLIS = 1000;
  private static volatile String localHost;

  public String host;
  public long pid;
  /** The process's start, epoch milliseconds; -1 when the platform does not say. */
  public long startedMillis = -1;

  /** What a run's recorded driver is doing now, seen from this JVM. */
  enum Status {
    /** The driver is this JVM and the run is in progress here. */
    RUNNING_HERE,
    /** Another process on this host that is the recorded driver is alive. */
    ALIVE,
    /** The recorded driver is gone (the process exited, or its pid now belongs to another process). */
    GONE,
    /** The driver ran on another host: nothing here can tell. */
    UNKNOWN
  }

  public static DriverProcess current() {
    ProcessHandle self = ProcessHandle.current();
    DriverProcess d = new DriverProcess();
    d.host = localHost();
    d.pid = self.pid();
    d.startedMillis = startMillis(self);
    return d;
  }

  public static void runStarted(String runId) {
    RUNNING.add(runId);
  }

  public static void runEnded(String runId) {
    RUNNING.remove(runId);
  }

  /** The status of the driver that ran {@code runId}. */
  Status status(String runId) {
    String here = localHost();
    if (host == null || here == null || !host.equals(here)) {
      return Status.UNKNOWN;
    }
    ProcessHandle self = ProcessHandle.current();
    if (pid == self.pid() && sameStart(startMillis(self))) {
      return RUNNING.contains(runId) ? Status.RUNNING_HERE : Status.GONE;
    }
    Optional<ProcessHandle> other = ProcessHandle.of(pid);
    if (other.isEmpty() || !other.get().isAlive()) {
      return Status.GONE;
    }
    return sameStart(startMillis(other.get())) ? Status.ALIVE : Status.GONE;
  }

  @Override
  public String toString() {
    return "host " + host + ", pid " + pid;
  }

  /** An unknown start on either side counts as the same process: wrongly waiting is safe, wrongly adopting is not. */
  private boolean sameStart(long otherStart) {
    return startedMillis < 0 || otherStart < 0 || Math.abs(startedMillis - otherStart) <= START_TOLERANCE_MILLIS;
  }

  private static long startMillis(ProcessHandle p) {
    return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
  }

  /** This host's name, or null when it cannot be found (then no driver counts as local). */
  private static String localHost() {
    String h = localHost;
    if (h == null) {
      try {
        h = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        h = "";
      }
      localHost = h;
    }
    return h.isEmpty() ? null : h;
  }
}
