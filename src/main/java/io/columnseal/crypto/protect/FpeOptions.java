package io.columnseal.crypto.protect;

/**
 * Options of the {@code fpe} protection (docs/FORMAT.md section 10.3).
 *
 * @param keepFirst6 the first 6 digits (a card's BIN) stay in clear
 * @param keepLast4 the last 4 digits stay in clear
 * @param luhn the output ends in a valid Luhn check digit; inputs must end in one too
 */
public record FpeOptions(boolean keepFirst6, boolean keepLast4, boolean luhn) {
  /** Every digit encrypted, no Luhn digit. */
  public static final FpeOptions FULL = new FpeOptions(false, false, false);
  /** Card numbers as fraud and support teams use them: BIN and last four in clear, valid Luhn. */
  public static final FpeOptions PAN_6_4_LUHN = new FpeOptions(true, true, true);

  /** The flags byte of the tweak: bit 0 keepFirst6, bit 1 keepLast4, bit 2 luhn. */
  int flags() {
    return (keepFirst6 ? 1 : 0) | (keepLast4 ? 2 : 0) | (luhn ? 4 : 0);
  }
}
