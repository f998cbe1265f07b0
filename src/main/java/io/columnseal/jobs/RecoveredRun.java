package io.columnseal.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What recovery did with one unfinished run's pending record, for the terminal, the run
 * summary and the log: counts, names and ids only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RecoveredRun {
  /** The data was found and is now in the manifest, as a commit of its own. */
  public static final String RECOVERED = "recovered";
  /** None of its files are in the dataset folder: the data commit never happened. */
  public static final String DISCARDED = "discarded";
  /** The manifest already holds the run; only its record was left behind. */
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
  public long rows;
  public long files;
  /** Files the record names that are not in the dataset folder (the data commit stopped part way). */
  public long filesNotFound;
  public long deks;
  public String note;

  static RecoveredRun of(PendingRecord r, String outcome) {
    RecoveredRun out = new RecoveredRun();
    out.runId = r.runId;
    out.outcome = outcome;
    out.mode = r.mode;
    out.input = r.input;
    return out;
  }

  /** One line for the terminal. */
  public String describe() {
    switch (outcome) {
      case RECOVERED:
        return "recovered run " + runId + " (" + mode + " of " + input + "), which stopped before its manifest commit: "
            + rows + " rows in " + files + " files, " + deks + " DEKs, now manifest version " + manifestVersion
            + (filesNotFound > 0 ? "; " + filesNotFound + " of its files never reached the dataset folder" : "");
      case DISCARDED:
        return "run " + runId + " stopped before its data commit: none of its files is in the dataset; its pending "
            + "record was removed";
      case ALREADY_COMMITTED:
        return "run " + runId + " is in the manifest already; its leftover pending record was removed";
      default:
        return "run " + runId + " left alone: " + note;
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
