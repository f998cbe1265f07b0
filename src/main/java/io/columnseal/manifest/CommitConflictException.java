package io.columnseal.manifest;

/**
 * Another writer created the commit number this writer wanted. Nothing was written by this
 * writer. Retryable: read the manifest again, check the draft still makes sense against the new
 * state (an overwrite or rewrap usually must be re-planned, an append usually not) and commit
 * with the new version.
 */
public final class CommitConflictException extends ManifestException {
  private static final long serialVersionUID = 1L;
  private final String datasetId;
  private final long number;
  private final String file;
  private final String winnerRunId;

  public CommitConflictException(String datasetId, long number, String file, String winnerRunId) {
    super("commit " + number + " of dataset " + datasetId + " at " + file + " was taken by another writer (run "
        + (winnerRunId == null ? "unknown" : winnerRunId) + "); read the manifest again and retry");
    this.datasetId = datasetId;
    this.number = number;
    this.file = file;
    this.winnerRunId = winnerRunId;
  }

  public String datasetId() {
    return datasetId;
  }

  /** The commit number that was taken. */
  public long number() {
    return number;
  }

  public String file() {
    return file;
  }

  /** The run id of the commit that won, or null if it could not be read. */
  public String winnerRunId() {
    return winnerRunId;
  }
}
