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

/**
 * Issue 14 item 1, access per key: an analyst allowed kms:Decrypt on alias/pii only restores
 * names and is refused card_number (alias/pan), naming the column and key, with no Decrypt of a
 * card-number DEK beyond the refused probe; the job's principal, allowed both, restores both.
 */
class ColumnKeyAccessTest {
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
  void aPrincipalWithDecryptOnOneKeyRestoresOnlyThatKeysColumns() throws Exception {
    SparkSession spark = JobTestKit.spark();
    try (KmsTestServer kms = KmsTestServer.start()) {
      String piiArn = kms.createKey("names");
      kms.createAlias("alias/pii", piiArn);
      String panArn = kms.createKey("card numbers");
      kms.createAlias("alias/pan", panArn);
      String enc = tmp.resolve("enc").toString();
      EncryptJob.run(spark, EncryptSettings.builder().datasetId("policies").inputPath("(memory)")
          .keyService(kms.spec()).kmsKey("alias/pii").outputPath(enc).policies(List.of(
              ColumnPolicy.randomized("names"),
              ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()),
              ColumnPolicy.of("cvv", "drop", null, Map.of()))).build(),
          ColumnPoliciesRoundTripTest.input(spark));

      // The analyst: a second principal, by a named profile, with kms:Decrypt on alias/pii's key only.
      Path credentials = Files.writeString(tmp.resolve("credentials"),
          "[analyst]\naws_access_key_id = " + ANALYST + "\naws_secret_access_key = test-secret\n");
      previousCredentialsFile = System.getProperty("aws.sharedCredentialsFile");
      System.setProperty("aws.sharedCredentialsFile", credentials.toString());
      KeyServiceSpec analyst = KeyServiceSpec.aws("us-east-1", kms.endpoint().toString(), "analyst");
      kms.permissions().restrict(ANALYST, "kms:Decrypt").onlyOnKeys(ANALYST, "kms:Decrypt", piiArn);
      kms.log().clear();

      String names = tmp.resolve("names").toString();
      DecryptJob.run(spark, new DecryptSettings(enc, null, names, "parquet", List.of("names"), analyst, false));
      List<Row> rows = JobTestKit.sorted(spark.read().parquet(names).select("id", "names"));
      assertEquals("[[1,Ada Lovelace], [2,Alan Turing], [3,null], [4,Grace Hopper], [5,Edsger Dijkstra],"
          + " [6,Barbara Liskov]]", rows.toString());
      List<LoggedRequest> decrypts = kms.log().of("Decrypt");
      assertFalse(decrypts.isEmpty());
      assertEquals(List.of(piiArn), decrypts.stream().map(LoggedRequest::keyId).distinct().collect(Collectors.toList()),
          "only names' DEKs are unwrapped");
      assertTrue(decrypts.stream().allMatch(r -> r.ok() && r.accessKeyId().equals(ANALYST)));

      kms.log().clear();
      String cards = tmp.resolve("cards").toString();
      KmsException denied = assertThrows(KmsException.class, () -> DecryptJob.run(spark,
          new DecryptSettings(enc, null, cards, "parquet", List.of("card_number"), analyst, false)));
      assertTrue(denied.getMessage().contains("decrypt needs kms:Decrypt on master key " + panArn
          + " (key alias/pan of column(s) card_number;"), denied.getMessage());
      assertEquals(1, kms.log().of("Decrypt").size(), "the refused probe, and no other Decrypt");
      assertEquals(panArn, kms.log().of("Decrypt").get(0).keyId());
      assertEquals("AccessDeniedException", kms.log().of("Decrypt").get(0).outcome());
      assertFalse(Files.exists(Path.of(cards)), "nothing written");

      // The job's own principal is allowed both keys: every column comes back.
      String all = tmp.resolve("all").toString();
      DecryptJob.run(spark, new DecryptSettings(enc, null, all, "parquet", List.of(), kms.spec(), false));
      assertEquals("[[1,Ada Lovelace,4111111111111111], [2,Alan Turing,5500000000000004], [3,null,340000000000009],"
          + " [4,Grace Hopper,6011000000000004], [5,Edsger Dijkstra,null], [6,Barbara Liskov,null]]",
          JobTestKit.sorted(spark.read().parquet(all).select("id", "names", "card_number")).toString());
    }
  }
}
