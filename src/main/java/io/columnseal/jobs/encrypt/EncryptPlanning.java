package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.Protection;
import io.columnseal.ConfigException;
import io.columnseal.jobs.input.InputReader;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.ManifestState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Driver-side checks of an encrypt spec against the input schema and an existing dataset. */
final class EncryptPlanning {
  private EncryptPlanning() {}

  /**
   * Ordinals of {@code columns} in {@code data}, ascending, after checking that the input's names
   * are unambiguous, every column exists with a type a cell can hold, and no partition column
   * is encrypted (its values would show in folder names).
   */
  static int[] encryptedOrdinals(StructType data, List<String> columns, List<String> partitionBy) {
    Map<String, String> lower = new HashMap<>();
    for (String name : data.fieldNames()) {
      if (name.startsWith(InputReader.INTERNAL_PREFIX)) {
        throw new ConfigException("input column " + name + " uses the prefix " + InputReader.INTERNAL_PREFIX
            + " that columnseal reserves for its own columns; rename it");
      }
      String prev = lower.put(name.toLowerCase(Locale.ROOT), name);
      if (prev != null) {
        throw new ConfigException("input has columns " + prev + " and " + name
            + " whose names differ only in case (or repeat); Spark cannot tell them apart: rename one");
      }
    }
    Set<String> seen = new HashSet<>();
    List<Integer> ordinals = new ArrayList<>();
    for (String c : columns) {
      if (!seen.add(c)) {
        throw new ConfigException("encrypt.columns names " + c + " twice");
      }
      int i = indexOf(data, c);
      if (i < 0) {
        String hint = lower.get(c.toLowerCase(Locale.ROOT));
        throw ConfigException.badValue("encrypt.columns", c, hint != null
            ? "a column of the input; names are case-sensitive: did you mean " + hint + "?"
            : "a column of the input, one of " + String.join(", ", data.fieldNames()));
      }
      SparkTypes.cellType(c, data.fields()[i].dataType());
      ordinals.add(i);
    }
    for (String p : partitionBy) {
      if (indexOf(data, p) < 0) {
        throw ConfigException.badValue("output.partitionBy", p, "a column of the input, one of "
            + String.join(", ", data.fieldNames()));
      }
      if (seen.contains(p)) {
        throw new ConfigException("output.partitionBy names " + p + ", which is encrypted: partition values are "
            + "folder names in clear text; partition by a column that is not sensitive");
      }
    }
    return ordinals.stream().sorted().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The masked and dropped columns of {@code s} exist in {@code data}, and a masked one is a
   * string (a mask is text): refused naming the column, before any KMS call.
   */
  static void checkUnsealedPolicies(StructType data, EncryptSettings s) {
    for (ColumnPolicy p : s.policies) {
      if (p.sealed()) {
        continue;
      }
      int i = indexOf(data, p.name);
      if (i < 0) {
        throw ConfigException.badValue("encrypt.columns", p.name, "a column of the input, one of "
            + String.join(", ", data.fieldNames()));
      }
      org.apache.spark.sql.types.DataType t = data.fields()[i].dataType();
      if (p.protection == Protection.MASK && !(t instanceof org.apache.spark.sql.types.StringType)) {
        throw new ConfigException("Cannot set encrypt.columns entry " + p.name + ": protection mask needs a string"
            + " column, and " + p.name + " is " + t.catalogString());
      }
    }
  }

  /** fpe and token take text (FORMAT.md 10.3, 10.4): refused at plan time on another type, naming the column. */
  static void checkDomainPolicies(StructType data, EncryptSettings s) {
    for (ColumnPolicy p : s.policies) {
      if (p.protection != Protection.FPE && p.protection != Protection.TOKEN) {
        continue;
      }
      int i = indexOf(data, p.name);
      org.apache.spark.sql.types.DataType t = i < 0 ? null : data.fields()[i].dataType();
      if (t != null && !(t instanceof org.apache.spark.sql.types.StringType)) {
        throw new ConfigException("Cannot set encrypt.columns entry " + p.name + ": protection "
            + p.protection.configName() + " needs a string column, and " + p.name + " is " + t.catalogString()
            + (p.protection == Protection.FPE ? " (cast it to a string of digits first)" : "; use deterministic"));
      }
    }
  }

  /** An append must keep the dataset's columns, types and encrypted set. */
  static void checkSameShape(ManifestState m, List<ColumnRecord> incoming, String output) {
    List<String> want = describe(m.schema());
    List<String> got = describe(incoming);
    if (!want.equals(got)) {
      throw new ConfigException("Cannot append to " + output + ": the dataset has columns " + want
          + " but this input and encrypt.columns give " + got + " (name:type, * = encrypted)");
    }
  }

  private static List<String> describe(List<ColumnRecord> cols) {
    List<String> out = new ArrayList<>();
    for (ColumnRecord c : cols) {
      // Options as recorded, so an append whose options differ (even only in spelling a default)
      // is refused here, before any data is written, not by the manifest commit after it. The
      // domain and its key id are the domain check's (EncryptPlan), taken from the manifest.
      Map<String, String> options = new java.util.TreeMap<>(c.options());
      options.remove(EncryptPlan.DOMAIN);
      options.remove(EncryptPlan.DOMAIN_KEY_ID);
      out.add(c.name() + ":" + c.type() + (c.encrypted() ? "*" : "") + (c.hasPolicy() && !c.protection().equals(
          ColumnRecord.NONE) ? "(" + c.protection() + (c.key() == null ? "" : " " + c.key())
          + (options.isEmpty() ? "" : " " + options) + ")" : ""));
    }
    return out;
  }

  private static int indexOf(StructType data, String name) {
    StructField[] f = data.fields();
    for (int i = 0; i < f.length; i++) {
      if (f[i].name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
