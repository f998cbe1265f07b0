package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.TestClients;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedKeysTest {
  private static final String KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  @Test
  void aPatternAllowsItsAccountAndRegionOnly() {
    TrustedKeys t = TrustedKeys.of(List.of("arn:aws:kms:eu-west-1:111122223333:key/*"));
    assertTrue(t.allows(KEY));
    assertFalse(t.allows(KEY.replace("eu-west-1", "eu-west-2")));
    assertFalse(t.allows(KEY.replace("111122223333", "111122223334")));
    assertFalse(t.allows("arn:aws:kms:eu-west-1:111122223333:alias/cards"));
  }

  @Test
  void theDefaultTrustsTheAccountAndRegionOfTheFirstKeys() {
    TrustedKeys t = TrustedKeys.defaultFor(List.of(KEY));
    assertTrue(t.allows(KEY.replace("1234abcd", "99999999")));
    assertFalse(t.allows(KEY.replace("111122223333", "999988887777")));
    assertFalse(TrustedKeys.defaultFor(List.of()).allows(KEY), "no DEK yet trusts nothing");
  }

  @Test
  void malformedEntriesAreNamedByPositionNeverQuoted() {
    for (String bad : List.of("*x", "arn:aws:kms:*:111122223333:key/*", "alias/cards", "1234abcd-12ab-34cd-56ef-1234567890ab",
        KEY + " trailing")) {
      ConfigException e = assertThrows(ConfigException.class, () -> TrustedKeys.of(List.of(KEY, bad)));
      assertTrue(e.getMessage().startsWith("Cannot set kms.allowedKeys: entry 2 ("), e.getMessage());
      assertFalse(e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(ConfigException.class, () -> TrustedKeys.of(List.of()));
  }

  @Test
  void anAliasEntryIsResolvedOnlyWhenAKeyIsNotAllowedOtherwise() {
    try (KmsTestServer server = KmsTestServer.start();
        KeyService kms = new AwsKms(server.spec(), AwsKmsOptions.builder()
            .credentials(TestClients.credentials("AKIDTESTTRUST")).build())) {
      String a = server.createKey("a");
      String b = server.createKey("b");
      server.createAlias("alias/b", b);
      String aliasArn = b.substring(0, b.indexOf(":key/")) + ":alias/b";
      TrustedKeys t = TrustedKeys.of(List.of(a, aliasArn));
      t.check(Map.of(a, 3L), kms, "decrypt of dataset d");
      assertEquals(0, server.log().entries().size(), "every key allowed without resolving");
      t.check(Map.of(a, 3L, b, 2L), kms, "decrypt of dataset d");
      assertEquals(1, server.log().of("DescribeKey").size());
      String c = server.createKey("c");
      UntrustedKeyException e = assertThrows(UntrustedKeyException.class,
          () -> t.check(Map.of(b, 1L, c, 4L), kms, "decrypt of dataset d"));
      assertEquals("decrypt of dataset d: 4 DEKs are wrapped under master key " + c + ", which kms.allowedKeys does not"
          + " allow; refused before any KMS call with a wrapped key", e.getMessage());
    }
  }
}
