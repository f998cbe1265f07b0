package io.columnseal.sql;

import java.util.Arrays;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.sources.StringStartsWith;

/**
 * Filters on clear columns, as Parquet predicates: Spark prunes partitions and row groups
 * before any cell is opened. Spark evaluates every filter again on the rows it gets back, so a
 * filter left out here (one on an encrypted column) costs time, not correctness.
 */
final class ClearFilters {
  private ClearFilters() {}

  /** The conjunction of the filters that touch only {@code clear} columns, or null if none does. */
  static Column of(Filter[] filters, Set<String> clear) {
    Column all = null;
    for (Filter f : filters) {
      if (!Arrays.stream(f.references()).allMatch(clear::contains)) {
        continue;
      }
      Column c = column(f);
      if (c != null) {
        all = all == null ? c : all.and(c);
      }
    }
    return all;
  }

  private static Column column(Filter f) {
    if (f instanceof EqualTo e) {
      return col(e.attribute()).equalTo(functions.lit(e.value()));
    } else if (f instanceof EqualNullSafe e) {
      return col(e.attribute()).eqNullSafe(functions.lit(e.value()));
    } else if (f instanceof GreaterThan e) {
      return col(e.attribute()).gt(functions.lit(e.value()));
    } else if (f instanceof GreaterThanOrEqual e) {
      return col(e.attribute()).geq(functions.lit(e.value()));
    } else if (f instanceof LessThan e) {
      return col(e.attribute()).lt(functions.lit(e.value()));
    } else if (f instanceof LessThanOrEqual e) {
      return col(e.attribute()).leq(functions.lit(e.value()));
    } else if (f instanceof In e) {
      return col(e.attribute()).isin(e.values());
    } else if (f instanceof IsNull e) {
      return col(e.attribute()).isNull();
    } else if (f instanceof IsNotNull e) {
      return col(e.attribute()).isNotNull();
    } else if (f instanceof StringStartsWith e) {
      return col(e.attribute()).startsWith(e.value());
    } else if (f instanceof And e) {
      Column l = column(e.left());
      Column r = column(e.right());
      return l == null || r == null ? null : l.and(r);
    } else if (f instanceof Or e) {
      Column l = column(e.left());
      Column r = column(e.right());
      return l == null || r == null ? null : l.or(r);
    } else if (f instanceof Not e) {
      Column c = column(e.child());
      return c == null ? null : functions.not(c);
    }
    return null;
  }

  static Column col(String name) {
    return functions.col("`" + name.replace("`", "``") + "`");
  }
}
