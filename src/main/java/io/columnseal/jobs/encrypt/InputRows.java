package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.input.InputException;
import io.columnseal.jobs.input.MalformedRowFailure;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * A partition's input rows as both sealers (cell and page mode) read them: a parse failure that
 * surfaces in the scan (a FAILFAST read's bad record; in either read, Univocity's or the date
 * parser's errors) becomes columnseal's one line naming file and line (never chained: its message
 * quotes the row), and a PERMISSIVE read's malformed row is named from its trailing
 * corrupt-record and file columns (docs/jobs/encrypt.md "Malformed CSV rows").
 */
final class InputRows {
  private final Iterator<InternalRow> in;
  private final SealingPlan plan;
  /** Ordinal of the corrupt-record column (the file column follows it): the data columns' count. */
  private final int corrupt;

  InputRows(Iterator<InternalRow> in, SealingPlan plan) {
    this.in = in;
    this.plan = plan;
    this.corrupt = plan.inputSchema.size();
    // Before the scan opens its first file (an executor JVM on a cluster has not read the CLI's log4j file).
    io.columnseal.jobs.input.HeaderWarnings.quiet();
  }

  // Both reads: a PERMISSIVE read's parse errors that are not bad records (a row over
  // maxColumns) quote values too, and become the same one line.
  boolean hasNext() {
    try {
      return in.hasNext();
    } catch (Exception e) {
      throw MalformedRowFailure.fromScan(e, hadoopConf(), plan.inputCharset);
    }
  }

  InternalRow next() {
    try {
      return in.next();
    } catch (Exception e) {
      throw MalformedRowFailure.fromScan(e, hadoopConf(), plan.inputCharset);
    }
  }

  /** Whether a PERMISSIVE read marked {@code row} malformed. */
  boolean isMalformed(InternalRow row) {
    return plan.checksMalformed && !row.isNullAt(corrupt);
  }

  /** Names the file and line of a row Spark could not parse; never its text. */
  InputException malformed(InternalRow row) {
    String file = row.isNullAt(corrupt + 1) ? null : row.getUTF8String(corrupt + 1).toString();
    return MalformedRowFailure.inFile(hadoopConf(), file, row.getUTF8String(corrupt).toString(), plan.inputCharset);
  }

  static Configuration hadoopConf() {
    return SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
  }
}
