package io.columnseal.manifest;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One column of a dataset's schema as the manifest records it. {@code type} is the Spark type
 * string ("string", "int", "decimal(12,2)", "timestamp", ...) of the original (plaintext)
 * column; this package treats it as opaque text. {@code encrypted} says whether columnseal seals
 * the column's cells. A column of a dataset with column policies (format version 5, FORMAT.md
 * 5.2) also records its {@code protection}, its key group ({@code key}: the configured master
 * key reference, null for a column without key) and the protection's options; a column of an
 * older commit has no policy ({@link #hasPolicy()} false).
 */
public final class ColumnRecord {
  /** The protection of a column that columnseal leaves as it is. */
  public static final String NONE = "none";

  private final String name;
  private final String type;
  private final boolean nullable;
  private final boolean encrypted;
  private final String protection;
  private final String key;
  private final Map<String, String> options;

  private ColumnRecord(String name, String type, boolean nullable, boolean encrypted, String protection, String key,
      Map<String, String> options) {
    this.name = Checks.text(name, "column name");
    this.type = Checks.text(type, "type of column " + name);
    this.nullable = nullable;
    this.encrypted = encrypted;
    this.protection = protection == null ? null : Checks.text(protection, "protection of column " + name);
    this.key = key;
    this.options = options == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(options));
    if (protection == null && (key != null || options != null)) {
      throw new IllegalArgumentException("column " + name + " has a key or options but no protection");
    }
  }

  public static ColumnRecord of(String name, String type, boolean nullable, boolean encrypted) {
    return new ColumnRecord(name, type, nullable, encrypted, null, null, null);
  }

  /** A column with its policy (format version 5). */
  public static ColumnRecord withPolicy(String name, String type, boolean nullable, boolean encrypted,
      String protection, String key, Map<String, String> options) {
    return new ColumnRecord(name, type, nullable, encrypted, Objects.requireNonNull(protection, "protection"), key,
        Objects.requireNonNull(options, "options"));
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public boolean nullable() {
    return nullable;
  }

  public boolean encrypted() {
    return encrypted;
  }

  /** Whether the column records a policy (format version 5). */
  public boolean hasPolicy() {
    return protection != null;
  }

  /**
   * The column's protection: as recorded, else {@code randomized} for an encrypted column of an
   * older commit and {@link #NONE} for a clear one.
   */
  public String protection() {
    if (protection != null) {
      return protection;
    }
    return encrypted ? "randomized" : NONE;
  }

  /** The key group: the configured master key reference, or null (no policy, or a protection without key). */
  public String key() {
    return key;
  }

  /** The protection's options, empty without a policy. */
  public Map<String, String> options() {
    return options == null ? Map.of() : options;
  }

  /** Whether the Parquet files hold the column (a dropped column is recorded but not written). */
  public boolean stored() {
    return !"drop".equals(protection);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ColumnRecord)) {
      return false;
    }
    ColumnRecord c = (ColumnRecord) o;
    return c.name.equals(name) && c.type.equals(type) && c.nullable == nullable && c.encrypted == encrypted
        && Objects.equals(c.protection, protection) && Objects.equals(c.key, key) && Objects.equals(c.options, options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, nullable, encrypted, protection, key, options);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null") + (encrypted ? " encrypted" : "")
        + (protection == null ? "" : " " + protection + (key == null ? "" : " " + key) + (options().isEmpty() ? ""
            : " " + options));
  }
}
