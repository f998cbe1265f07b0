package io.columnseal.crypto.protect;

/** The Luhn (mod 10) check digit of ISO/IEC 7812-1 Annex B, over digit values 0..9. */
final class Luhn {
  private Luhn() {}

  /** The check digit to append to {@code d[0..len)}. */
  static int checkDigit(byte[] d, int len) {
    int sum = 0;
    boolean twice = true; // the digit next to the check digit is doubled
    for (int i = len - 1; i >= 0; i--) {
      int v = d[i];
      if (twice) {
        v *= 2;
        if (v > 9) {
          v -= 9;
        }
      }
      sum += v;
      twice = !twice;
    }
    return (10 - sum % 10) % 10;
  }

  /** True when the last of {@code d[0..len)} is the valid check digit of the others. */
  static boolean valid(byte[] d, int len) {
    return len >= 2 && checkDigit(d, len - 1) == d[len - 1];
  }
}
