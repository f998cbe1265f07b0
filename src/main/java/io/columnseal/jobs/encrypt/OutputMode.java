package io.columnseal.jobs.encrypt;

/** What encrypt does when the output already holds a dataset. */
public enum OutputMode {
  /** Refuse an output path that exists and is not empty. */
  ERROR,
  /** Add new files and a new manifest commit; existing files and commits are untouched. */
  APPEND,
  /**
   * Replace the dataset's files: the new files are written beside the old ones, the manifest
   * commit retires the old ones, and only then are they deleted. The manifest history stays.
   */
  OVERWRITE
}
