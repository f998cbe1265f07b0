package io.columnseal.jobs.dataset;

import io.columnseal.ColumnsealException;

/** A dataset that cannot be read as it is: no manifest, an unfinished run, a missing file. */
public final class DatasetException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }
}
