package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProtectionTest {
  @Test
  void configNamesAndUnknownNames() {
    assertEquals(Protection.FPE, Protection.fromConfigName("fpe"));
    assertEquals("deterministic", Protection.DETERMINISTIC.configName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Protection.fromConfigName("FPE"));
    assertEquals("unknown protection 'FPE'; the value must be one of randomized, deterministic, fpe, token, mask, drop",
        e.getMessage());
  }

  @Test
  void maskStyleNames() {
    assertEquals(MaskStyle.FIRST6_LAST4, MaskStyle.fromConfigName("first6last4"));
    assertEquals(MaskStyle.LAST4, MaskStyle.fromConfigName("last4"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskStyle.fromConfigName("first6"));
    assertEquals("unknown mask style 'first6'; the value must be one of first6last4, last4", e.getMessage());
  }
}
