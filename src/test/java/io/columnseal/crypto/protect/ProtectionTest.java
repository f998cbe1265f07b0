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
}
