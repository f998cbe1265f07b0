package io.columnseal.jobs.dataset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What recovery did with one unfinished run's pending record, for the terminal, the run
 * summary and the log: counts, names and ids only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RecoveredRun {
  /** Every file of the run is in the dataset, and the manifest holds them as a commit of their own. */
  public static final String RECOVERED = "recovered";
  /** Not all of its data arrived: every file of it was removed; its input must be run again. */
  public static final String DROPPED = "dropped";
  /** The manifest already holds the run; only its records were left behind. */
  public static final String ALREADY_COMMITTED = "already-committed";
  /** Its driver may still be running: nothing was done. */
  public static final String LEFT_ALONE = "left-alone";

  public String runId;
  public String outcome;
  /** The unfinished run's output.mode and input. */
  public String mode;
  public String input;
  /** The manifest version that holds the recovered commit. */
  public Long manifestVersion;
  /** Rows and files committed (recovered). */
  public long rows;
  public long files;
  /** Of those files, the ones recovery moved from the run's work folder (its job commit stopped part way). */
  public long filesMoved;
  /** Files of a dropped run removed from the dataset folder and its work folder. */
  public long filesRemoved;
  public long deks;
  public String note;
  /**
   * The run's input file fingerprints, from its record (not in summaries): a run left alone
   * commits them later, so an append of the same files now would duplicate their rows.
   */
  @JsonIgnore
  public List<String> inputs = List.of();

  /** One line for the terminal. */
  public String describe() {
    switch (outcome) {
      case RECOVERED:
        return "recovered run " + runId + ": all " + files + " files / " + rows + " rows committed (" + mode + " of "
            + input + ", " + deks + " DEKs, manifest version " + manifestVersion
            + (filesMoved > 0 ? "; " + filesMoved + " files moved in from its work folder" : "") + ")";
      case DROPPED:
        return "dropped run " + runId + ": its data never fully arrived; removed " + filesRemoved + " files, re-run the"
            + " input (" + mode + " of " + input + "; " + note + ")";
      case ALREADY_COMMITTED:
        return "run " + runId + " is in the manifest already; its leftover records were removed";
      default:
        return "run " + runId + " left alone: " + note;
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
