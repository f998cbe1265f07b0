package io.columnseal.sql;

import io.columnseal.ConfigException;
import java.util.Locale;

/** What an encrypted column becomes when the caller may not unwrap its master key's DEKs. */
public enum OnUndecryptable {
  /** The query fails with one line naming the column(s) and the master key (the default). */
  FAIL,
  /** The column reads as null. */
  NULL,
  /** The column reads as its stored cells (binary, or base64 text), still encrypted. */
  RAW;

  static OnUndecryptable parse(String value) {
    if (value == null) {
      return FAIL;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ConfigException.badValue("onUndecryptable", value, "fail, null or raw");
    }
  }
}
