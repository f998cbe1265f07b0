package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KmsException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.columnseal.jobs.decrypt.OnCellError;

/**
 * Issue 14 item 2, a domain key is a KMS permission: an analyst without kms:Decrypt on the
 * domain's master key (alias/pan) is refused the deterministic card number in one line naming
 * column, domain and key, before any data is read, and still restores names (alias/pii).
 */
class DomainKeyAccessTest {
  private static final String ANALYST = "AKIDTESTANALYST";

  @TempDir
  Path tmp;
  private String previousCredentialsFile;

  @AfterEach
  void restoreCredentialsFile() {
    if (previousCredentialsFile == null) {
      System.clearProperty("aws.sharedCredentialsFile");
    } else {
      System.setProperty("aws.sharedCredentialsFile", previousCredentialsFile);
    }
  }

  @Test
  void aPrincipalWithoutDecryptOnTheDomainKeyIsRefusedThatColumnOnly() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = tmp.resolve("enc").toString();
      String store = tmp.resolve("domains").toString();
      EncryptJob.run(spark, EncryptSettings.builder().datasetId("policies").inputPath("(memory)")
          .keyService(kms.spec()).kmsKey("alias/pii").outputPath(enc).domainStore(store).policies(List.of(
              ColumnPolicy.randomized("names"),
              ColumnPolicy.of("card_number", "deterministic", "alias/pan", Map.of("domain", "pan")),
              ColumnPolicy.of("cvv", "drop", null, Map.of()))).build(),
          ColumnPoliciesRoundTripTest.input(spark));

      Path credentials = Files.writeString(tmp.resolve("credentials"),
          "[analyst]\naws_access_key_id = " + ANALYST + "\naws_secret_access_key = test-secret\n");
      previousCredentialsFile = System.getProperty("aws.sharedCredentialsFile");
      System.setProperty("aws.sharedCredentialsFile", credentials.toString());
      KeyServiceSpec analyst = KeyServiceSpec.aws("us-east-1", kms.endpoint().toString(), "analyst");
      kms.permissions().restrict(ANALYST, "kms:Decrypt").onlyOnKeys(ANALYST, "kms:Decrypt", piiArn);
      kms.log().clear();

      String cards = tmp.resolve("cards").toString();
      KmsException denied = assertThrows(KmsException.class, () -> DecryptJob.run(spark,
          new DecryptSettings(enc, null, cards, "parquet", List.of(), analyst, false, OnCellError.FAIL, null, null, store)));
      assertTrue(denied.getMessage().contains("decrypt of column card_number needs kms:Decrypt on the master key of"
          + " domain pan (domain key "), denied.getMessage());
      assertFalse(denied.getMessage().contains("\n"), "one line");
      assertEquals(1, kms.log().of("Decrypt").size(), "the refused probe, and no other Decrypt");
      assertEquals(panArn, kms.log().of("Decrypt").get(0).keyId());
      assertEquals("AccessDeniedException", kms.log().of("Decrypt").get(0).outcome());
      assertFalse(Files.exists(Path.of(cards)), "nothing written");

      String names = tmp.resolve("names").toString();
      DecryptJob.run(spark, new DecryptSettings(enc, null, names, "parquet", List.of("names"), analyst, false,
          OnCellError.FAIL, null, null, store));
      assertEquals("[[1,Ada Lovelace], [2,Alan Turing], [3,null], [4,Grace Hopper], [5,Edsger Dijkstra],"
          + " [6,Barbara Liskov]]", JobTestKit.sorted(spark.read().parquet(names).select("id", "names")).toString());

      String all = tmp.resolve("all").toString();
      DecryptJob.run(spark, new DecryptSettings(enc, null, all, "parquet", List.of(), kms.spec(), false,
          OnCellError.FAIL, null, null, store));
      assertEquals("[[1,Ada Lovelace,4111111111111111], [2,Alan Turing,5500000000000004], [3,null,340000000000009],"
          + " [4,Grace Hopper,6011000000000004], [5,Edsger Dijkstra,null], [6,Barbara Liskov,null]]",
          JobTestKit.sorted(spark.read().parquet(all).select("id", "names", "card_number")).toString());
    }
  }
}
