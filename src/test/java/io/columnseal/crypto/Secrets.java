package io.columnseal.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/** Test keys, and the check that a message or string leaks neither key bytes nor a value. */
final class Secrets {
  private Secrets() {}

  /** 32 bytes that no real key has: {@code start, start+1, ...}. */
  static byte[] testKey(int start) {
    byte[] k = new byte[SealingKey.KEY_BYTES];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (start + i);
    }
    return k;
  }

  /**
   * {@code text} names every one of {@code mustName} and holds no hex of {@code key} (whole, or
   * any 8-byte run of it) in either case, and no hex or UTF-8 text of {@code value}.
   */
  static void assertSafe(String text, byte[] key, byte[] value, String... mustName) {
    assertNotNull(text, "no message");
    for (String name : mustName) {
      assertTrue(text.contains(name), "message does not name " + name + ": " + text);
    }
    String lower = text.toLowerCase(Locale.ROOT);
    if (key != null) {
      String hex = HexFormat.of().formatHex(key);
      for (int i = 0; i + 16 <= hex.length(); i += 2) {
        assertFalse(lower.contains(hex.substring(i, i + 16)), "message shows key bytes: " + text);
      }
    }
    if (value != null && value.length >= 4) {
      assertFalse(lower.contains(HexFormat.of().formatHex(value)), "message shows the value in hex: " + text);
      assertFalse(text.contains(new String(value, StandardCharsets.UTF_8)), "message shows the value: " + text);
      assertFalse(text.contains(Arrays.toString(value)), "message shows the value bytes: " + text);
    }
  }

  static void assertSafe(Throwable e, byte[] key, byte[] value, String... mustName) {
    assertSafe(e.getMessage(), key, value, mustName);
    assertSafe(e.toString(), key, value);
  }
}
