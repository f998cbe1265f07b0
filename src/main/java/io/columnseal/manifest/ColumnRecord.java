package io.columnseal.manifest;

import java.util.Objects;

/**
 * One column of a dataset's schema as the manifest records it. {@code type} is the Spark type
 * string ("string", "int", "decimal(12,2)", "timestamp", ...) of the original (plaintext)
 * column; this package treats it as opaque text. {@code encrypted} says whether columnseal seals
 * the column's cells.
 */
public final class ColumnRecord {
  private final String name;
  private final String type;
  private final boolean nullable;
  private final boolean encrypted;

  private ColumnRecord(String name, String type, boolean nullable, boolean encrypted) {
    this.name = Checks.text(name, "column name");
    this.type = Checks.text(type, "type of column " + name);
    this.nullable = nullable;
    this.encrypted = encrypted;
  }

  public static ColumnRecord of(String name, String type, boolean nullable, boolean encrypted) {
    return new ColumnRecord(name, type, nullable, encrypted);
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

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ColumnRecord)) {
      return false;
    }
    ColumnRecord c = (ColumnRecord) o;
    return c.name.equals(name) && c.type.equals(type) && c.nullable == nullable && c.encrypted == encrypted;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, nullable, encrypted);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null") + (encrypted ? " encrypted" : "");
  }
}
