package io.columnseal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.kms.KeyServiceSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data source's options go through the CLI's checks; no Spark needed. */
class ReadSettingsTest {
  @Test
  void readerKeysMatchInAnyCaseAndMapToTheCliSettings() {
    ReadSettings s = ReadSettings.of(Map.of("path", "/data/cards_enc", "KMS.Provider", "local",
        "kms.keyring", "/keys/ring.json", "onundecryptable", "NULL", "manifest.path", "/m"));
    assertEquals(KeyServiceSpec.local("/keys/ring.json"), s.keyService);
    assertEquals(OnUndecryptable.NULL, s.onUndecryptable);
    assertEquals("/m", s.manifestPath);
    assertNull(s.manifestMacKey);
    assertEquals(OnUndecryptable.FAIL, ReadSettings.of(Map.of("path", "/d", "kms.provider", "aws")).onUndecryptable);
  }

  @Test
  void whatTheCliRefusesTheSourceRefusesNamingTheOption() {
    assertEquals("Cannot set kms.region with kms.provider=local: it applies to kms.provider=aws",
        assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("path", "/d", "kms.provider", "local",
            "kms.keyring", "/k", "kms.region", "eu-west-1"))).getMessage());
    assertTrue(assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("path", "/d", "kms.provider", "aws",
        "output.path", "/x"))).getMessage().startsWith("Unknown columnseal reader option output.path; known options:"));
    assertTrue(assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("path", "/d", "kms.provider", "aws",
        "kms.endpoint", "not a url"))).getMessage().contains("kms.endpoint"));
    assertTrue(assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("kms.provider", "aws")))
        .getMessage().startsWith("Missing option path"));
    assertTrue(assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("path", "/d", "kms.provider", "aws",
        "onUndecryptable", "zero"))).getMessage().contains("fail, null or raw"));
    assertTrue(assertThrows(ConfigException.class, () -> ReadSettings.of(Map.of("path", "/d", "kms.provider", "aws",
        "kms.profile", "a", "KMS.PROFILE", "b"))).getMessage().contains("twice"));
  }

  @Test
  void aPathsCredentialsNeverReachThePlan() {
    assertEquals("s3a://***@lake/cards_enc", SealedRelation.redacted("s3a://AKIDEXAMPLE:secret@lake/cards_enc"));
    assertEquals("s3a://lake/cards_enc", SealedRelation.redacted("s3a://lake/cards_enc"));
    assertEquals("/data/a@b", SealedRelation.redacted("/data/a@b"));
  }
}
