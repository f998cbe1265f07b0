package io.columnseal.jobs.decrypt;

import io.columnseal.ColumnsealException;

/**
 * A cell of a dataset that does not open: it fails authentication, is malformed, or names a
 * DEK the manifest lacks. The message names the column, the file and the row's position in
 * the file, then the cause's message (which names the dataset and DEK); never the value.
 */
public final class UnreadableCellException extends ColumnsealException {
  private static final long serialVersionUID = 1L;
  private final String column;
  private final String file;
  private final long row;

  UnreadableCellException(String column, String file, long row, ColumnsealException cause) {
    super("cannot decrypt column " + column + " in file " + file + " at row " + row
        + " (0-based, within the file): " + cause.getMessage(), cause);
    this.column = column;
    this.file = file;
    this.row = row;
  }

  public String column() {
    return column;
  }

  public String file() {
    return file;
  }

  /** The row's index within its file, from 0 (Spark's {@code _metadata.row_index}); -1 if unknown. */
  public long row() {
    return row;
  }
}
