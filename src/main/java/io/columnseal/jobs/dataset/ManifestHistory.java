package io.columnseal.jobs.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.RewrappedDek;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code manifest log}: a dataset's commits as an auditor reads them: number, time, kind, run,
 * the master keys involved (with how many DEKs each), DEKs added or rewrapped, files added or
 * removed, rows. Reads and checks the whole log (digest chain included); no KMS call.
 */
@JsonPropertyOrder(alphabetic = false)
public final class ManifestHistory {
  public final String datasetId;
  public final long version;
  public final List<Entry> commits;

  /** One commit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder(alphabetic = false)
  public static final class Entry {
    public long number;
    public String time;
    public String kind;
    public String runId;
    /** ENCRYPT/OVERWRITE: DEKs added per master key ARN. */
    public Map<String, Long> deksAddedPerKey = new TreeMap<>();
    /** REWRAP: DEKs moved per "from ARN -> to ARN". */
    public Map<String, Long> deksRewrappedPerKey = new TreeMap<>();
    public long deksAdded;
    public long deksRewrapped;
    public long filesAdded;
    public long filesRemoved;
    /** Null for a commit that wrote no rows (a rewrap). */
    public Long rows;
    public Map<String, String> operation;
    /** The master key ARNs this commit involves, each once. */
    public List<String> keyArns = new ArrayList<>();
    /** Whether the commit carries a MAC (format 4, manifest.macKey); shown, not verified here. */
    public boolean mac;
  }

  private ManifestHistory(String datasetId, long version, List<Entry> commits) {
    this.datasetId = datasetId;
    this.version = version;
    this.commits = List.copyOf(commits);
  }

  /** @throws DatasetException when the dataset has no manifest */
  public static ManifestHistory read(Configuration conf, String datasetPath, String manifestPath) {
    return of(DatasetSnapshot.open(conf, datasetPath, manifestPath).state);
  }

  public static ManifestHistory of(ManifestState state) {
    List<Entry> out = new ArrayList<>();
    for (Commit c : state.history()) {
      Entry e = new Entry();
      e.number = c.number();
      e.time = c.time().toString();
      e.kind = c.kind().name();
      e.runId = c.runId();
      for (DekRecord d : c.addedDeks()) {
        e.deksAddedPerKey.merge(d.keyArn(), 1L, Long::sum);
      }
      TreeSet<String> arns = new TreeSet<>(e.deksAddedPerKey.keySet());
      for (RewrappedDek r : c.rewrappedDeks()) {
        e.deksRewrappedPerKey.merge(r.fromKeyArn() + " -> " + r.toKeyArn(), 1L, Long::sum);
        arns.add(r.fromKeyArn());
        arns.add(r.toKeyArn());
      }
      e.keyArns = new ArrayList<>(arns);
      e.deksAdded = c.addedDeks().size();
      e.deksRewrapped = c.rewrappedDeks().size();
      e.filesAdded = c.files().size();
      e.filesRemoved = c.removedFiles().size();
      e.rows = c.stats().get("rows");
      e.operation = c.operation();
      e.mac = c.mac() != null;
      out.add(e);
    }
    return new ManifestHistory(state.datasetId(), state.version(), out);
  }

  /** The log as terminal lines: one per commit, then one per key movement. */
  public String toTerminal() {
    StringBuilder b = new StringBuilder();
    b.append("manifest log of dataset ").append(datasetId).append(": ").append(commits.size()).append(" commit(s)\n");
    b.append(String.format("%4s  %-24s  %-9s  %-26s  %10s  %10s  %7s  %7s  %12s  %3s%n", "#", "time", "kind", "run",
        "DEKs added", "rewrapped", "files+", "files-", "rows", "mac"));
    for (Entry e : commits) {
      b.append(String.format("%4d  %-24s  %-9s  %-26s  %,10d  %,10d  %,7d  %,7d  %12s  %3s%n", e.number, e.time, e.kind,
          e.runId, e.deksAdded, e.deksRewrapped, e.filesAdded, e.filesRemoved,
          e.rows == null ? "-" : String.format("%,d", e.rows), e.mac ? "yes" : "no"));
      e.deksAddedPerKey.forEach((k, n) -> b.append(String.format("        %,d DEK(s) under %s%n", n, k)));
      e.deksRewrappedPerKey.forEach((k, n) -> b.append(String.format("        %,d DEK(s) %s%n", n, k)));
    }
    return b.toString();
  }

  /** The JSON form ({@code manifest log --json}). */
  public String toJson() {
    return RunSummaries.toJson(this);
  }
}
