package io.columnseal.sql;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * A stored column that must equal one of some stored values (sealed literals of a deterministic
 * or fpe column, {@link CipherFilters}), tested on each row before any cell of it is opened. No
 * value: no row passes.
 */
final class StoredEquality implements Serializable {
  private static final long serialVersionUID = 1L;
  final String column;
  /** byte[] cells, or text (base64 cells, fpe digits) as UTF-8. */
  private final byte[][] values;
  private final boolean binary;
  private final int ordinal;

  StoredEquality(String column, List<Object> stored) {
    this(column, stored.stream().map(v -> v instanceof byte[] b ? b : ((String) v).getBytes(StandardCharsets.UTF_8))
        .toArray(byte[][]::new), !stored.isEmpty() && stored.get(0) instanceof byte[], -1);
  }

  private StoredEquality(String column, byte[][] values, boolean binary, int ordinal) {
    this.column = column;
    this.values = values;
    this.binary = binary;
    this.ordinal = ordinal;
  }

  /** This comparison at {@code ordinal} of the rows it will test. */
  StoredEquality at(int ordinal) {
    return new StoredEquality(column, values, binary, ordinal);
  }

  boolean test(InternalRow row) {
    if (values.length == 0 || row.isNullAt(ordinal)) {
      return false;
    }
    byte[] have = binary ? row.getBinary(ordinal) : row.getUTF8String(ordinal).getBytes();
    for (byte[] v : values) {
      if (Arrays.equals(have, v)) {
        return true;
      }
    }
    return false;
  }
}
