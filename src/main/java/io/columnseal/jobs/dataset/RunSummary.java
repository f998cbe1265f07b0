package io.columnseal.jobs.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run did, for the terminal and for {@code _columnseal/runs/<run>.json}: counts and
 * names only, never values or keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public final class RunSummary {
  public String command;
  public String runId;
  public String datasetId;
  public String mode;
  public String input;
  public String output;
  public String masterKeyArn;
  public long rowsRead;
  public long rowsWritten;
  public Map<String, Long> cellsPerColumn = new LinkedHashMap<>();
  /** encrypt with input.malformed=quarantine: rows sealed into the quarantine folder instead of the dataset. */
  public Long quarantinedRows;
  public String quarantine;
  /** decrypt --on-error null: cells that did not open and were written as null, per column. */
  public Map<String, Long> nullCellsPerColumn;
  public java.util.List<String> decryptedColumns;
  /** encrypt with column policies: each policy column's protection (and key group), e.g. "randomized alias/pan". */
  public Map<String, String> protections;
  /** encrypt with column policies: key group (configured key reference) -> master key ARN. */
  public Map<String, String> keyGroups;
  public long deks;
  public Map<String, Long> kmsCalls = new LinkedHashMap<>();
  public long files;
  public long tasks;
  public Long manifestVersion;
  public String startedAt;
  public long durationMillis;
  /** Unfinished earlier runs this run found before its own work, and what it did with each. */
  public java.util.List<RecoveredRun> recovered;

  /** A few lines for the terminal. */
  public String toTerminal() {
    StringBuilder b = new StringBuilder();
    if (recovered != null) {
      recovered.forEach(r -> b.append(r.describe()).append('\n'));
    }
    b.append(command).append(' ').append(datasetId).append(": ").append(rowsWritten).append(" rows written to ")
        .append(output).append(" in ").append(String.format("%.1f s", durationMillis / 1000.0)).append('\n');
    if (cellsPerColumn != null && !cellsPerColumn.isEmpty()) {
      b.append("  cells encrypted:");
      cellsPerColumn.forEach((c, n) -> b.append(' ').append(c).append('=').append(n));
      b.append('\n');
    }
    if (protections != null) {
      b.append("  protections:");
      protections.forEach((c, p) -> b.append(' ').append(c).append('=').append(p.replace(' ', ':')));
      b.append('\n');
      java.util.List<String> dropped = new java.util.ArrayList<>();
      protections.forEach((c, p) -> {
        if (p.equals("drop")) {
          dropped.add(c);
        }
      });
      if (!dropped.isEmpty()) {
        b.append("  columns dropped (not written): ").append(String.join(", ", dropped)).append('\n');
      }
    }
    if (decryptedColumns != null) {
      b.append("  columns decrypted: ").append(String.join(", ", decryptedColumns)).append('\n');
    }
    if (quarantinedRows != null) {
      b.append("  malformed rows quarantined (sealed, not in the dataset): ").append(quarantinedRows);
      if (quarantinedRows > 0) {
        b.append(" in ").append(quarantine);
      }
      b.append('\n');
    }
    if (nullCellsPerColumn != null) {
      long total = nullCellsPerColumn.values().stream().mapToLong(Long::longValue).sum();
      b.append("  cells that did not decrypt, written as null (--on-error null): ").append(total);
      nullCellsPerColumn.forEach((c, n) -> {
        if (n > 0) {
          b.append(' ').append(c).append('=').append(n);
        }
      });
      b.append('\n');
    }
    if (kmsCalls != null) {
      b.append("  DEKs: ").append(deks).append(" (one per non-empty partition), KMS calls: ").append(kmsCalls).append('\n');
    }
    b.append("  files: ").append(files).append(", manifest version: ").append(manifestVersion);
    if (runId != null) {
      b.append(", run: ").append(runId);
    }
    return b.append('\n').toString();
  }
}
