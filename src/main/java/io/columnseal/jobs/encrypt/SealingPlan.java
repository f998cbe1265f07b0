package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.Protection;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.kms.KeyServiceSpec;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Everything an executor needs to seal a partition, resolved on the driver as plain values:
 * no client, no key material. Shipped inside the task closure.
 */
final class SealingPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  final String datasetId;
  final StructType inputSchema;
  /** Ordinals of the columns to encrypt, ascending. */
  final int[] encryptedOrdinals;
  final CellEncoding encoding;
  final KeyServiceSpec keyService;
  /** Key groups (each with its master key ARN as DescribeKey resolved it on the driver), masks and drops. */
  final SealingPolicies policies;
  final TreeMap<String, String> extraContext;
  /**
   * CSV input: each row carries two more columns after the data, Spark's corrupt-record text
   * and the source file (see {@link InputReader}); a row with corrupt text fails the task.
   */
  final boolean checksMalformed;
  /**
   * CSV read FAILFAST with no extra column, in the sealer's own task: Spark's parse failure,
   * thrown by the input iterator, becomes our malformed-row failure ({@link
   * io.columnseal.jobs.input.MalformedRowFailure}).
   */
  final boolean failFast;
  final String inputCharset;
  /**
   * Where this run's quarantine files go ({@code input.malformed=quarantine}), or null: a
   * malformed row then fails the task.
   */
  final String quarantineDir;
  /** The driver's Hadoop settings, for writing quarantine files; null without quarantine. */
  final SerializableConfiguration hadoopConf;

  SealingPlan(String datasetId, StructType inputSchema, int[] encryptedOrdinals, CellEncoding encoding,
      KeyServiceSpec keyService, SealingPolicies policies, Map<String, String> extraContext,
      boolean checksMalformed, boolean failFast, String inputCharset) {
    this(datasetId, inputSchema, encryptedOrdinals, encoding, keyService, policies, extraContext, checksMalformed,
        failFast, inputCharset, null, null);
  }

  private SealingPlan(String datasetId, StructType inputSchema, int[] encryptedOrdinals, CellEncoding encoding,
      KeyServiceSpec keyService, SealingPolicies policies, Map<String, String> extraContext,
      boolean checksMalformed, boolean failFast, String inputCharset, String quarantineDir,
      SerializableConfiguration hadoopConf) {
    this.datasetId = datasetId;
    this.inputSchema = inputSchema;
    this.encryptedOrdinals = encryptedOrdinals.clone();
    this.encoding = encoding;
    this.keyService = keyService;
    this.policies = policies;
    this.extraContext = new TreeMap<>(extraContext);
    this.checksMalformed = checksMalformed;
    this.failFast = failFast;
    this.inputCharset = inputCharset;
    this.quarantineDir = quarantineDir;
    this.hadoopConf = hadoopConf;
  }

  /** This plan with malformed CSV rows sealed into {@code dir} instead of failing the task. */
  SealingPlan quarantiningInto(String dir, org.apache.hadoop.conf.Configuration conf) {
    if (!checksMalformed) {
      return this;
    }
    return new SealingPlan(datasetId, inputSchema, encryptedOrdinals, encoding, keyService, policies, extraContext,
        true, false, inputCharset, dir, new SerializableConfiguration(conf));
  }

  ColumnSpec columnSpec(int k) {
    StructField f = inputSchema.fields()[encryptedOrdinals[k]];
    return SparkTypes.columnSpec(datasetId, f.name(), f.dataType());
  }

  /**
   * The input schema with each encrypted column replaced by a nullable binary (or base64 string),
   * an fpe or token column by a string, and each dropped column left out; a masked column stays a
   * string.
   */
  StructType outputSchema() {
    StructField[] fields = inputSchema.fields().clone();
    for (int k = 0; k < encryptedOrdinals.length; k++) {
      int ordinal = encryptedOrdinals[k];
      StructField f = fields[ordinal];
      Protection p = policies.protectionOf[k];
      // fpe and token write text (digits, hex); the others write cells.
      boolean text = p == Protection.FPE || p == Protection.TOKEN || encoding == CellEncoding.BASE64;
      fields[ordinal] = new StructField(f.name(), text ? DataTypes.StringType : DataTypes.BinaryType, true,
          f.metadata());
    }
    java.util.List<StructField> kept = new java.util.ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      if (!policies.dropped[i]) {
        kept.add(fields[i]);
      }
    }
    return new StructType(kept.toArray(new StructField[0]));
  }
}
