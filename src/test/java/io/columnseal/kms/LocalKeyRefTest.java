package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalKeyRefTest {
  private static final String ID = "6f1c4a8e-2b3d-4e5f-8a9b-0c1d2e3f4a5b";

  @Test
  void keyIdAndKeyArnNameTheKey() {
    assertEquals(UUID.fromString(ID), LocalKeyRef.parse(ID).keyId());
    assertEquals(UUID.fromString(ID), LocalKeyRef.parse(ID.toUpperCase()).keyId());
    assertEquals(UUID.fromString(ID), LocalKeyRef.parse("arn:aws:kms:local:000000000000:key/" + ID).keyId());
    assertEquals("arn:aws:kms:local:000000000000:key/" + ID, LocalKeyRef.keyArn(UUID.fromString(ID)));
  }

  @Test
  void aliasAndAliasArnNameTheAlias() {
    assertEquals("alias/cards/prod-1", LocalKeyRef.parse("alias/cards/prod-1").alias());
    assertEquals("alias/cards", LocalKeyRef.parse("arn:aws:kms:local:000000000000:alias/cards").alias());
    assertNull(LocalKeyRef.parse("alias/cards").keyId());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "cards", "alias/", "alias/has space", "1-1-1-1-1",
      "arn:aws:kms:us-east-1:123456789012:key/" + ID,
      "arn:aws:kms:local:000000000000:key/not-a-uuid",
      "arn:aws:kms:local:000000000000:" + ID,
      "arn:aws:kms:local:000000000000:alias/"})
  void otherFormsAreNotReferences(String ref) {
    assertNull(LocalKeyRef.parse(ref));
  }

  @Test
  void newAliasNamesFollowKmsRules() {
    assertEquals("alias/cards", LocalKeyRef.aliasName("cards"));
    assertEquals("alias/cards", LocalKeyRef.aliasName("alias/cards"));
    assertThrows(IllegalArgumentException.class, () -> LocalKeyRef.aliasName("alias/aws/s3"));
    assertThrows(IllegalArgumentException.class, () -> LocalKeyRef.aliasName("bad name"));
    assertThrows(IllegalArgumentException.class, () -> LocalKeyRef.aliasName("a".repeat(251)));
  }
}
