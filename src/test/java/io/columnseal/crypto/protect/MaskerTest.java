package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mask protection (FORMAT.md 10.5), including values too short to mask as asked. */
class MaskerTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "FIRST6_LAST4, 4111111111111111, 411111******1111",
      "FIRST6_LAST4, 4111111111111111111, 411111*********1111",
      "FIRST6_LAST4, 1234567890123456, 123456******3456",
      "FIRST6_LAST4, 1234567890, ******7890",
      "FIRST6_LAST4, 123456789, *********",
      "LAST4, 4111111111111111, ************1111",
      "LAST4, 1234567890, ******7890",
      "LAST4, 123456789, *********",
      "LAST4, '', ''",
      "LAST4, Zoë Müller-Ørsted, *************sted"})
  void masks(MaskStyle style, String value, String expected) {
    assertEquals(expected, Masker.of(style).mask(value));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      // 15 digits: 6 + 4 kept would mask only 5, so only the last 4 stay.
      "FIRST6_LAST4, 378282246310005, ***********0005",
      // code points, not UTF-16 units: the emoji is one masked character
      "LAST4, a\uD83D\uDE00bcdefghij, *******ghij"})
  void edges(MaskStyle style, String value, String expected) {
    assertEquals(expected, Masker.of(style).mask(value));
  }

  @org.junit.jupiter.api.Test
  void maskShape() {
    Masker m = Masker.of(MaskStyle.FIRST6_LAST4);
    org.junit.jupiter.api.Assertions.assertTrue(m.hasMaskShape("411111******1111"));
    org.junit.jupiter.api.Assertions.assertTrue(m.hasMaskShape("*********"));
    org.junit.jupiter.api.Assertions.assertFalse(m.hasMaskShape("4111111111111111"), "a clear card number");
    org.junit.jupiter.api.Assertions.assertFalse(m.hasMaskShape("411111*****11111"));
  }

  @ParameterizedTest
  @CsvSource({"'0'", "'x'"})
  void aMaskCharacterThatReadsAsDataIsRefused(char c) {
    assertThrows(IllegalArgumentException.class, () -> Masker.of(MaskStyle.LAST4, c));
  }
}
