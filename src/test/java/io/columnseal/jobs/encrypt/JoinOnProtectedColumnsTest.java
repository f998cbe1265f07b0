package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14 item 4: a cards dataset and a transactions dataset (other dataset ids, separate
 * runs, one domain "pan" in one domain store) join on the protected card number without
 * decrypting, and the join has exactly the rows of the plain join of the inputs.
 */
class JoinOnProtectedColumnsTest {
  @TempDir
  Path tmp;

  static Dataset<Row> cards(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create(i, DomainProtectionsRoundTripTest.pan("411111", 500L + i), "holder-" + i));
    }
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2),
        new StructType().add("card_id", DataTypes.IntegerType).add("card_number", DataTypes.StringType)
            .add("holder", DataTypes.StringType));
  }

  /** 30 transactions over cards 0..7 and 3 cards the cards dataset does not have; in other partitions. */
  static Dataset<Row> transactions(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long card = i % 11 < 8 ? i % 11 : 100 + i % 11;
      rows.add(RowFactory.create(1000 + i, DomainProtectionsRoundTripTest.pan("411111", 500L + card), i * 10));
    }
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3),
        new StructType().add("tx_id", DataTypes.IntegerType).add("pan", DataTypes.StringType)
            .add("amount", DataTypes.IntegerType));
  }

  @ParameterizedTest
  @ValueSource(strings = {"deterministic", "fpe", "token"})
  void twoDatasetsJoinOnTheProtectedCardNumberAsOnThePlainOne(String protection) {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String store = tmp.resolve("domains").toString();
    Map<String, String> opts = protection.equals("fpe")
        ? Map.of("domain", "pan", "keepFirst", "6", "keepLast", "4", "luhn", "true") : Map.of("domain", "pan");
    String cardsOut = tmp.resolve("cards").toString();
    String txOut = tmp.resolve("tx").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("cards").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(cardsOut).domainStore(store)
        .policies(List.of(ColumnPolicy.of("card_number", protection, null, opts))).build(), cards(spark));
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("transactions").inputPath("(memory)")
        .keyService(kit.keys).kmsKey("alias/test").outputPath(txOut).domainStore(store).partitions(4)
        .policies(List.of(ColumnPolicy.of("pan", protection, null, opts))).build(), transactions(spark));

    Dataset<Row> plainCards = cards(spark);
    Dataset<Row> plainTx = transactions(spark);
    List<Row> plain = JobTestKit.sorted(plainCards.join(plainTx, plainCards.col("card_number").equalTo(plainTx.col("pan")))
        .select("card_id", "holder", "tx_id", "amount"));
    Dataset<Row> encCards = spark.read().parquet(cardsOut);
    Dataset<Row> encTx = spark.read().parquet(txOut);
    List<Row> sealed = JobTestKit.sorted(encCards.join(encTx, encCards.col("card_number").equalTo(encTx.col("pan")))
        .select("card_id", "holder", "tx_id", "amount"));
    assertEquals(24, plain.size(), "the plain join has a row per transaction of a known card");
    assertEquals(plain, sealed);
    // Not a join of clear values: no stored card number equals an input one.
    assertTrue(encTx.select("pan").collectAsList().stream().map(r -> String.valueOf(r.get(0)))
        .noneMatch(v -> plainTx.collectAsList().stream().anyMatch(p -> p.getString(1).equals(v))));
  }
}
