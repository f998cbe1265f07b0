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
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StringType;

/**
 * {@code column = 'literal'} on a deterministic or fpe string column, compared in its stored form:
 * the literal is sealed once on the driver under the column's domain key (as encrypt seals it), so
 * Parquet filters the cells and no row that does not match is opened. Exact because equal
 * plaintexts give equal cells under one domain key (FORMAT.md 10.2, 10.3) and the manifest fixes
 * the column's key; Spark need not evaluate such a filter again.
 */
final class CipherFilters {
  private CipherFilters() {}

  /** Whether {@code f} is rewritten (and so handled by the scan): an equality on such a column. */
  static boolean handles(Filter f, DatasetSnapshot snap, Set<String> openable) {
    if (!(f instanceof EqualTo e) || !(e.value() instanceof String) || !openable.contains(e.attribute())) {
      return false;
    }
    ColumnRecord c = record(snap, e.attribute());
    return c != null && DomainOpenings.reversibleDomainColumn(c)
        && snap.originalType(c.name()) instanceof StringType;
  }

  /**
   * The stored-form predicates of the handled filters among {@code filters}, or null if none.
   *
   * @param opening per handled column, its domain opening (null: the caller may not use the domain
   *     key, and with onUndecryptable=null the column reads as null, so equality holds for no row)
   */
  static Column of(Filter[] filters, DatasetSnapshot snap, Set<String> openable, DataType[] storedTypes,
      List<String> storedNames, java.util.function.Function<String, DomainOpenings.Opening> opening,
      io.columnseal.kms.KeyServiceSpec keyService) {
    List<Column> out = new ArrayList<>();
    for (Filter f : filters) {
      if (!handles(f, snap, openable)) {
        continue;
      }
      EqualTo e = (EqualTo) f;
      DomainOpenings.Opening o = opening.apply(e.attribute());
      if (o == null) {
        out.add(functions.lit(false));
        continue;
      }
      String value = (String) e.value();
      ColumnSpec spec = SparkTypes.columnSpec(snap.state.datasetId(), e.attribute(), snap.originalType(e.attribute()));
      try (DomainKeyCache.Lease lease = o.key.open(keyService)) {
        Object stored;
        if (o.deterministic()) {
          byte[] cell;
          try (DeterministicCipher c = DeterministicCipher.open(lease.key())) {
            cell = c.sealValue(spec, value);
          }
          boolean binary = storedTypes[storedNames.indexOf(e.attribute())] instanceof BinaryType;
          stored = binary ? cell : Base64.getEncoder().encodeToString(cell);
        } else {
          try (FormatPreservingCipher c = FormatPreservingCipher.open(lease.key(), o.fpeOptions())) {
            stored = c.encrypt(e.attribute(), value);
          } catch (FpeInputException notDigits) {
            // Every stored value is the FF1 image of a value FF1 accepted: this literal equals none.
            out.add(functions.lit(false));
            continue;
          }
        }
        out.add(ClearFilters.col(e.attribute()).equalTo(functions.lit(stored)));
      }
    }
    return out.stream().reduce(Column::and).orElse(null);
  }

  private static ColumnRecord record(DatasetSnapshot snap, String name) {
    return snap.state.schema().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }
}
