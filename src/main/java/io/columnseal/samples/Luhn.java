package io.columnseal.samples;

/**
 * The Luhn (mod 10) check digit of ISO/IEC 7812-1, which every payment card number ends with.
 */
public final class Luhn {
  private Luhn() {}

  /** The digit that, appended to {@code payload}, makes a Luhn-valid number. */
  public static char checkDigit(CharSequence payload) {
    // Once the check digit is appended, the payload's last digit is second from the right,
    // so doubling starts with it.
    int sum = weightedSum(payload, true);
    return (char) ('0' + (10 - sum % 10) % 10);
  }

  /** True when {@code number} is all ASCII digits, at least two of them, and passes Luhn. */
  public static boolean isValid(CharSequence number) {
    return number.length() >= 2 && weightedSum(number, false) % 10 == 0;
  }

  private static int weightedSum(CharSequence digits, boolean doubleRightmost) {
    int sum = 0;
    boolean doubled = doubleRightmost;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (d < 0 || d > 9) {
        throw new IllegalArgumentException("a card number holds only digits 0-9");
      }
      if (doubled) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubled = !doubled;
    }
    return sum;
  }
}
