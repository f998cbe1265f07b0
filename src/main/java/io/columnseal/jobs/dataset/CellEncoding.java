package io.columnseal.jobs.dataset;

import java.util.Base64;
import org.apache.spark.unsafe.types.UTF8String;

/** How encrypted cells are stored in the output: Parquet BINARY (default) or base64 text. */
public enum CellEncoding {
  BINARY,
  BASE64;

  public Object toInternal(byte[] cell) {
    return this == BINARY ? cell : UTF8String.fromString(Base64.getEncoder().encodeToString(cell));
  }
}
