package io.columnseal.jobs.encrypt;

/**
 * The {@code mask} protection (irreversible truncation, PCI DSS 3.4.1): digits kept are the
 * first 6 and last 4 ({@code first6last4}, only for values of at least 13 digits, a card number's
 * shortest length, else as {@code last4}) or the last 4 ({@code last4}, only for values of at
 * least 8 digits, else none). Spaces and '-' stay as separators; every other character becomes
 * '*'. A small copy until the crypto package's mask is merged.
 */
public final class Masks {
  public static final String FIRST6_LAST4 = "first6last4";
  public static final String LAST4 = "last4";

  private Masks() {}

  public static String apply(String value, String show) {
    int digits = 0;
    for (int i = 0; i < value.length(); i++) {
      if (isDigit(value.charAt(i))) {
        digits++;
      }
    }
    int first = FIRST6_LAST4.equals(show) && digits >= 13 ? 6 : 0;
    int last = digits >= 8 ? 4 : 0;
    StringBuilder out = new StringBuilder(value.length());
    int j = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isDigit(c)) {
        out.append(j < first || j >= digits - last ? c : '*');
        j++;
      } else {
        out.append(c == ' ' || c == '-' ? c : '*');
      }
    }
    return out.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
