package io.columnseal.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LuhnTest {
  @ParameterizedTest
  @ValueSource(strings = {
    "79927398713", "4111111111111111", "378282246310005", "5555555555554444", "30569309025904",
    "3530111333300000", "6759649826438453"
  })
  void acceptsPublishedTestNumbers(String number) {
    assertTrue(Luhn.isValid(number));
  }

  @ParameterizedTest
  @ValueSource(strings = {"79927398710", "4111111111111112", "378282246310006", "0", ""})
  void rejectsWrongCheckDigitsAndTooShortNumbers(String number) {
    assertFalse(Luhn.isValid(number));
  }

  @Test
  void checkDigitCompletesThePayload() {
    assertEquals('3', Luhn.checkDigit("7992739871"));
    assertEquals('1', Luhn.checkDigit("411111111111111"));
    assertEquals('5', Luhn.checkDigit("37828224631000"));
    assertEquals('0', Luhn.checkDigit("353011133330000"));
  }

  @Test
  void rejectsNonDigits() {
    assertThrows(IllegalArgumentException.class, () -> Luhn.isValid("4111 1111 1111 1111"));
  }
}
