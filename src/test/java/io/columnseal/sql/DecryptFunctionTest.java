package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.EncryptDecryptRoundTripTest;
import io.columnseal.jobs.encrypt.BadInputTest;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 2: columnseal_decrypt(cell, 'dataset', 'column'), code-generated, equals the data source. */
class DecryptFunctionTest {
  @TempDir
  Path tmp;

  @AfterEach
  void unsetSessionConf() {
    SparkSession spark = JobTestKit.spark();
    spark.conf().unset("spark.columnseal.kms.provider");
    spark.conf().unset("spark.columnseal.kms.keyring");
    spark.conf().unset("spark.sql.codegen.factoryMode");
  }

  @Test
  void theExtensionInjectsTheFunction() {
    SparkSessionExtensions extensions = new SparkSessionExtensions();
    new ColumnsealExtensions().apply(extensions);
    FunctionRegistry registry = FunctionRegistry.builtin().clone();
    extensions.registerFunctions(registry);
    assertTrue(registry.functionExists(FunctionIdentifier.apply("columnseal_decrypt")));
  }

  @Test
  void everyTypeOpensAsTheDataSourceOpensItWithAndWithoutCodegen() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    StructType schema = EncryptDecryptRoundTripTest.EVERY_TYPE;
    Dataset<Row> input = spark.createDataFrame(EncryptDecryptRoundTripTest.everyTypeRows(), schema);
    String src = tmp.resolve("types.parquet").toString();
    input.write().parquet(src);
    String enc = tmp.resolve("enc").toString();
    List<String> encrypted = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    encrypted.remove("id");
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("types").inputPath(src).inputFormat("parquet")
        .columns(encrypted).keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(2).build());

    ColumnsealExtensions.register(spark);
    spark.conf().set("spark.columnseal.kms.provider", "local");
    spark.conf().set("spark.columnseal.kms.keyring", kit.keyringFile.toString());
    spark.read().parquet(enc).createOrReplaceTempView("type_cells");
    StringBuilder select = new StringBuilder("SELECT id");
    for (String c : encrypted) {
      select.append(", columnseal_decrypt(").append(c).append(", '").append(enc).append("', '").append(c)
          .append("') AS ").append(c);
    }
    String query = select + " FROM type_cells ORDER BY id";
    List<Row> viaSource = ColumnsealSourceTest.reader(kit).load(enc).orderBy("id").collectAsList();
    for (String mode : List.of("CODEGEN_ONLY", "NO_CODEGEN")) {
      spark.conf().set("spark.sql.codegen.factoryMode", mode);
      Dataset<Row> viaFunction = spark.sql(query);
      assertEquals(schema.simpleString(), viaFunction.schema().simpleString(), mode);
      ColumnsealSourceTest.assertSameRows(input.orderBy("id").collectAsList(), viaFunction.collectAsList(), schema);
      ColumnsealSourceTest.assertSameRows(viaSource, viaFunction.collectAsList(), schema);
    }
    String plan = spark.sql(query).queryExecution().explainString(
        org.apache.spark.sql.execution.ExplainMode.fromString("extended"));
    assertTrue(plan.contains("columnseal_decrypt(s#"), plan);
    assertTrue(!plan.contains(kit.keyringFile.toString()) && !plan.contains("plain ascii"), plan);
  }

  @Test
  void aWrongColumnOrACellOfAnotherColumnFailsNamingTheColumn() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, kit.sampleCsv(enc).build());
    ColumnsealExtensions.register(spark);
    spark.conf().set("spark.columnseal.kms.provider", "local");
    spark.conf().set("spark.columnseal.kms.keyring", kit.keyringFile.toString());
    spark.read().parquet(enc).createOrReplaceTempView("card_cells");

    Exception notEncrypted = assertThrows(Exception.class,
        () -> spark.sql("SELECT columnseal_decrypt(card_number, '" + enc + "', 'city') FROM card_cells"));
    assertInstanceOf(ConfigException.class, BadInputTest.ours(notEncrypted), String.valueOf(notEncrypted));

    // cvv's cells opened as card_number: the associated data binds the column, so every cell fails.
    Exception moved = assertThrows(Exception.class, () -> spark.sql(
        "SELECT columnseal_decrypt(cvv, '" + enc + "', 'card_number') FROM card_cells").collectAsList());
    String message = BadInputTest.ours(moved).getMessage();
    assertTrue(message.startsWith("columnseal_decrypt cannot open a cell of column card_number of dataset cards-test"),
        message);
  }
}
