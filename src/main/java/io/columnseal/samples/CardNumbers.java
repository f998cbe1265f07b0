package io.columnseal.samples;

import java.util.Random;

/**
 * Makes Luhn-valid card numbers inside each network's issuer identification number (IIN)
 * ranges and lengths:
 *
 * <ul>
 *   <li>visa: 4, length 16 (19 for some; the legacy 13-digit cards are left out, so every
 *       number has 14 to 19 digits);
 *   <li>mastercard: 51-55 and 2221-2720, length 16;
 *   <li>amex: 34 and 37, length 15;
 *   <li>jcb: 3528-3589, length 16-19;
 *   <li>diners: 36, 38 and 300-305, length 14;
 *   <li>maestro: 5018, 5020, 5038, 6304, 6759 and 6761-6763, length 16-19.
 * </ul>
 */
final class CardNumbers {
  private static final String[] MAESTRO_PREFIXES = {
    "5018", "5020", "5038", "6304", "6759", "6761", "6762", "6763"
  };

  private CardNumbers() {}

  static String next(CardNetwork network, Random random) {
    String prefix;
    int length;
    switch (network) {
      case VISA -> {
        prefix = "4";
        length = random.nextInt(100) < 90 ? 16 : 19;
      }
      case MASTERCARD -> {
        prefix = random.nextInt(100) < 75
            ? Integer.toString(51 + random.nextInt(5))
            : Integer.toString(2221 + random.nextInt(2720 - 2221 + 1));
        length = 16;
      }
      case AMEX -> {
        prefix = random.nextBoolean() ? "34" : "37";
        length = 15;
      }
      case JCB -> {
        prefix = Integer.toString(3528 + random.nextInt(3589 - 3528 + 1));
        int p = random.nextInt(100);
        length = p < 70 ? 16 : p < 80 ? 17 : p < 90 ? 18 : 19;
      }
      case DINERS -> {
        int p = random.nextInt(100);
        prefix = p < 40 ? "36" : p < 60 ? "38" : Integer.toString(300 + random.nextInt(6));
        length = 14;
      }
      case MAESTRO -> {
        prefix = MAESTRO_PREFIXES[random.nextInt(MAESTRO_PREFIXES.length)];
        length = 16 + random.nextInt(4);
      }
      default -> throw new IllegalArgumentException("no IIN ranges for " + network);
    }
    StringBuilder number = new StringBuilder(length).append(prefix);
    while (number.length() < length - 1) {
      number.append((char) ('0' + random.nextInt(10)));
    }
    return number.append(Luhn.checkDigit(number)).toString();
  }
}
