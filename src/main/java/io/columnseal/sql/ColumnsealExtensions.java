package io.columnseal.sql;

import io.columnseal.ConfigException;
import io.columnseal.cli.ReaderConfig;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.ColumnRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;
import scala.Tuple3;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.columnseal.sql.ColumnsealExtensions}: registers
 * {@code columnseal_decrypt(cell, 'dataset path', 'column')}. The dataset's manifest is read once
 * when the query is analysed (on the driver), with the options of the session's
 * {@code spark.columnseal.*} settings (the reader keys: {@code spark.columnseal.kms.provider}, ...).
 */
public final class ColumnsealExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  public static final String NAME = "columnseal_decrypt";
  static final String CONF_PREFIX = "spark.columnseal.";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(NAME), info(), builder()));
    return BoxedUnit.UNIT;
  }

  /** For a session already running (a notebook): the same function, registered on it. */
  public static void register(SparkSession spark) {
    spark.sessionState().functionRegistry().registerFunction(FunctionIdentifier.apply(NAME), info(), builder());
  }

  private static ExpressionInfo info() {
    return new ExpressionInfo(DecryptCell.class.getName(), null, NAME,
        "_FUNC_(cell, 'dataset path', 'column') - the value of a columnseal cell of that dataset's column,"
            + " opened with the spark.columnseal.* key settings", "", "", "", "misc_funcs", "", "", "built-in");
  }

  private static Function1<Seq<Expression>, Expression> builder() {
    return new AbstractFunction1<>() {
      @Override
      public Expression apply(Seq<Expression> args) {
        return build(JavaConverters.seqAsJavaList(args));
      }
    };
  }

  static Expression build(java.util.List<Expression> args) {
    if (args.size() != 3) {
      throw new ConfigException(NAME + " takes 3 arguments (cell, 'dataset path', 'column'), not " + args.size());
    }
    Expression cell = args.get(0);
    if (!(cell.dataType() instanceof BinaryType) && !(cell.dataType() instanceof StringType)) {
      throw new ConfigException(NAME + ": the cell must be binary (or base64 string), not "
          + cell.dataType().simpleString());
    }
    String path = literal(args.get(1), "dataset path");
    String column = literal(args.get(2), "column");
    SparkSession spark = SparkSession.active();
    Map<String, String> options = new HashMap<>();
    for (Map.Entry<String, String> e : JavaConverters.mapAsJavaMap(spark.conf().getAll()).entrySet()) {
      if (e.getKey().startsWith(CONF_PREFIX)) {
        options.put(e.getKey().substring(CONF_PREFIX.length()), e.getValue());
      }
    }
    ReaderConfig c = ReaderConfig.of(options, Set.of());
    KeyServiceSpec keys = c.keyService();
    DatasetSnapshot snap = DatasetSnapshot.openComplete(spark.sparkContext().hadoopConfiguration(), path,
        c.get("manifest.path"), KeyTrust.macKey(keys, KeyTrust.macKey(c.get("manifest.macKey"))));
    if (io.columnseal.jobs.dataset.DatasetCellEncoding.isPage(snap.state)) {
      // Its pages are encrypted whole: a value read without the data source is no cell to open.
      throw new ConfigException(NAME + " has no meaning for page-mode dataset " + snap.state.datasetId()
          + ": it has no cells, Parquet decrypts its pages; read it with format(\"columnseal\") or USING columnseal");
    }
    if (!snap.state.encryptedColumns().contains(column)) {
      throw ConfigException.badValue(NAME + " column", column,
          "an encrypted column of dataset " + snap.state.datasetId() + ", one of " + snap.state.encryptedColumns());
    }
    KeyTrust.check(KeyTrust.parse(c.allowedKeys()), snap.state, KeyServices.shared(keys), NAME);
    String group = snap.state.schema().stream().filter(r -> r.name().equals(column) && r.hasPolicy())
        .map(ColumnRecord::key).findFirst().orElse(null);
    DatasetColumn dc = new DatasetColumn(snap.state.datasetId(), column, snap.originalType(column), keys,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(snap.dekTable()), group);
    return new DecryptCell(cell, dc);
  }

  private static String literal(Expression e, String what) {
    Object v = e.foldable() ? e.eval(null) : null;
    if (!(v instanceof UTF8String)) {
      throw new ConfigException(NAME + ": the " + what + " must be a string literal");
    }
    return v.toString();
  }
}
