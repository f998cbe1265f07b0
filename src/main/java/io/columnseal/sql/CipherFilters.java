package io.columnseal.sql;

import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.protect.DeterministicCipher;
import io.columnseal.crypto.protect.FormatPreservingCipher;
import io.columnseal.crypto.protect.FpeInputException;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.manifest.ColumnRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.types.StringType;

/**
 * {@code column = 'literal'}, {@code column <=> 'literal'} and {@code column IN ('a', 'b')} on a
 * deterministic or fpe string column, compared in their stored form: each literal is sealed once
 * on the driver under the column's domain key (as encrypt seals it), so
 * the scan drops each row that does not match before any of its cells is opened. Exact because equal plaintexts give equal cells under one domain key
 * (FORMAT.md 10.2, 10.3) and the manifest fixes the column's key; Spark evaluates the filter
 * again on the opened values of the rows that pass, which changes nothing.
 */
final class CipherFilters {
  private CipherFilters() {}

  /**
   * Whether {@code f} is rewritten (and so handled by the scan): {@code =}, {@code <=>} or
   * {@code IN} with string literals on such a column.
   */
  private static boolean handles(Filter f, DatasetSnapshot snap, Set<String> openable) {
    String column = attribute(f);
    if (column == null || !openable.contains(column)) {
      return false;
    }
    ColumnRecord c = record(snap, column);
    return c != null && DomainOpenings.reversibleDomainColumn(c)
        && snap.originalType(c.name()) instanceof StringType;
  }

  /**
   * The column a rewritable filter compares, or null: {@code <=>} with a non-null literal keeps
   * the rows {@code =} keeps (a null cell is neither), and an {@code IN} list's nulls never make
   * a row pass a filter, so only its strings matter.
   */
  private static String attribute(Filter f) {
    if (f instanceof EqualTo e && e.value() instanceof String) {
      return e.attribute();
    }
    if (f instanceof EqualNullSafe e && e.value() instanceof String) {
      return e.attribute();
    }
    if (f instanceof In in && in.values().length > 0
        && Arrays.stream(in.values()).allMatch(v -> v == null || v instanceof String)) {
      return in.attribute();
    }
    return null;
  }

  /** The string literals {@code f} compares its column with (nulls left out). */
  private static List<String> literals(Filter f) {
    if (f instanceof EqualTo e) {
      return List.of((String) e.value());
    }
    if (f instanceof EqualNullSafe e) {
      return List.of((String) e.value());
    }
    List<String> out = new ArrayList<>();
    for (Object v : ((In) f).values()) {
      if (v != null) {
        out.add((String) v);
      }
    }
    return out;
  }

  /**
   * The stored-form comparisons of the handled filters among {@code filters}.
   *
   * @param storedBinary whether a column's cells are stored as binary (else base64 text)
   * @param opening per handled column, its domain opening (null: the caller may not use the domain
   *     key, and with onUndecryptable=null the column reads as null, so equality holds for no row)
   */
  static List<StoredEquality> of(Filter[] filters, DatasetSnapshot snap, Set<String> openable,
      java.util.function.Predicate<String> storedBinary,
      java.util.function.Function<String, DomainOpenings.Opening> opening, io.columnseal.kms.KeyServiceSpec keyService) {
    List<StoredEquality> out = new ArrayList<>();
    for (Filter f : filters) {
      if (!handles(f, snap, openable)) {
        continue;
      }
      String column = attribute(f);
      DomainOpenings.Opening o = opening.apply(column);
      if (o == null) {
        out.add(new StoredEquality(column, List.of()));
        continue;
      }
      ColumnSpec spec = SparkTypes.columnSpec(snap.state.datasetId(), column, snap.originalType(column));
      boolean binary = storedBinary.test(column);
      List<Object> stored = new ArrayList<>();
      try (DomainKeyCache.Lease lease = o.key.open(keyService)) {
        if (o.deterministic()) {
          try (DeterministicCipher c = DeterministicCipher.open(lease.key())) {
            for (String value : literals(f)) {
              byte[] cell = c.sealValue(spec, value);
              stored.add(binary ? cell : Base64.getEncoder().encodeToString(cell));
            }
          }
        } else {
          try (FormatPreservingCipher c = FormatPreservingCipher.open(lease.key(), o.fpeOptions())) {
            for (String value : literals(f)) {
              try {
                stored.add(c.encrypt(column, value));
              } catch (FpeInputException notDigits) {
                // Every stored value is the FF1 image of a value FF1 accepted: this literal equals none.
              }
            }
          }
        }
      }
      out.add(new StoredEquality(column, stored));
    }
    return out;
  }

  private static ColumnRecord record(DatasetSnapshot snap, String name) {
    return snap.state.schema().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }
}
