package io.columnseal.jobs.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The verify report: what was checked, the counts, and every finding. Ids and names only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VerifyReport {
  /** One problem found; {@code check} names which check found it. */
  public static final class Finding {
    public String check;
    public String message;

    Finding(String check, String message) {
      this.check = check;
      this.message = message;
    }
  }

  public String datasetId;
  public String path;
  public Long manifestVersion;
  public String checkedAt;
  public boolean shallow;
  public long liveFiles;
  /**
   * Live files added by commits older than format 3, whose cells may name any DEK of the
   * dataset: not a finding (such a dataset is as it was written), shown so it can be rewritten.
   */
  public long filesNotBound;
  public long rowsExpected;
  public long rowsFound;
  public long deksInManifest;
  public long deksInData;
  public long deksUnwrapped;
  public Map<String, Long> deksPerMasterKey = new LinkedHashMap<>();
  public long cellsChecked;
  public long samplesDecrypted;
  /** With manifest.macKey: commits whose MAC verified, and commits written without one (a note, not a finding). */
  public Long commitsAuthenticated;
  public Long commitsWithoutMac;
  public List<Finding> findings = new ArrayList<>();
  /** Warning-level findings: reported, but they do not fail verify (exit 0). */
  public List<Finding> warnings = new ArrayList<>();
  public long durationMillis;

  void find(String check, String message) {
    findings.add(new Finding(check, message));
  }

  void warn(String check, String message) {
    warnings.add(new Finding(check, message));
  }

  public boolean ok() {
    return findings.isEmpty();
  }

  public String toTerminal() {
    StringBuilder b = new StringBuilder();
    b.append("verify ").append(datasetId).append(" at ").append(path).append(" (manifest version ")
        .append(manifestVersion).append("): ").append(ok() ? "OK" : findings.size() + " finding(s)").append('\n');
    b.append("  files: ").append(liveFiles).append(", rows: ").append(rowsFound).append(" found / ")
        .append(rowsExpected).append(" expected, cells checked: ").append(cellsChecked).append('\n');
    b.append("  DEKs: ").append(deksInManifest).append(" in manifest, ").append(deksInData).append(" in data, ")
        .append(shallow ? "unwrap skipped (--shallow)" : deksUnwrapped + " unwrapped").append(", samples decrypted: ")
        .append(samplesDecrypted).append('\n');
    if (filesNotBound > 0) {
      b.append("  note: ").append(filesNotBound).append(" file(s) not bound to DEKs (written before format 3)\n");
    }
    if (commitsAuthenticated != null) {
      b.append("  commits: ").append(commitsAuthenticated).append(" authenticated by manifest.macKey");
      if (commitsWithoutMac > 0) {
        b.append(", note: ").append(commitsWithoutMac).append(" written without a MAC (before the key was set)");
      }
      b.append('\n');
    }
    deksPerMasterKey.forEach((k, n) -> b.append("  ").append(n).append(" DEK(s) under ").append(k).append('\n'));
    warnings.forEach(w -> b.append("  WARNING [").append(w.check).append("] ").append(w.message).append('\n'));
    int shown = 0;
    for (Finding f : findings) {
      if (shown++ == 20) {
        b.append("  ... and ").append(findings.size() - 20).append(" more in the JSON report\n");
        break;
      }
      b.append("  FINDING [").append(f.check).append("] ").append(f.message).append('\n');
    }
    return b.toString();
  }
}
