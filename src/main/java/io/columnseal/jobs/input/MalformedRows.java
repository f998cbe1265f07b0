package io.columnseal.jobs.input;

/** What encrypt does with a CSV row Spark cannot parse against the schema ({@code input.malformed}). */
public enum MalformedRows {
  /** Fail the job naming the file and line (the default). */
  FAIL,
  /**
   * Keep the run going: the row's raw text is sealed as one cell under its partition's DEK and
   * written to {@code <manifest dir>/quarantine/<run>/}, never to the dataset and never in
   * plaintext (docs/FORMAT.md section 9).
   */
  QUARANTINE
}
