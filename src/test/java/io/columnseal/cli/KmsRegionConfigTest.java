package io.columnseal.cli;

import static io.columnseal.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KMS key in another Region than kms.region (issue 13: an EMR step must fail with one line
 * naming the cause, before any data is written): exit 2, before any Spark job or KMS call.
 */
class KmsRegionConfigTest {
  @TempDir
  Path tmp;

  @Test
  void aKeyArnOfAnotherRegionIsAConfigErrorNamingBothRegions() throws Exception {
    Path out = tmp.resolve("cards_enc");
    CliTest.Result r = cli("encrypt", "--config", "conf/sample.yaml",
        "--set", "kms.provider=aws", "--set", "kms.keyring=",
        "--set", "kms.key=arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "--set", "kms.region=eu-west-1", "--set", "output.path=" + out);
    assertEquals(2, r.code, r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertEquals("columnseal encrypt: Cannot use kms.key arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        + " with kms.region eu-west-1: the key is in Region us-west-2; KMS keys are regional (set kms.region to us-west-2,"
        + " or use a key of eu-west-1)", r.errLines().get(0));
    assertFalse(Files.exists(out), "nothing written");
  }
}
