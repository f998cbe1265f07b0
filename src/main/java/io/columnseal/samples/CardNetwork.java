package io.columnseal.samples;

/**
 * The card networks in the sample data. {@link #cardType()} is the value of the
 * {@code card_type} column; IIN ranges and lengths live in {@link CardNumbers}.
 */
public enum CardNetwork {
  VISA("visa", 3),
  MASTERCARD("mastercard", 3),
  AMEX("amex", 4),
  JCB("jcb", 3),
  DINERS("diners", 3),
  MAESTRO("maestro", 3);

  private final String cardType;
  private final int cvvLength;

  CardNetwork(String cardType, int cvvLength) {
    this.cardType = cardType;
    this.cvvLength = cvvLength;
  }

  public String cardType() {
    return cardType;
  }

  /** Digits of the card verification value: American Express prints four (its CID). */
  public int cvvLength() {
    return cvvLength;
  }

  public static CardNetwork ofCardType(String cardType) {
    for (CardNetwork n : values()) {
      if (n.cardType.equals(cardType)) {
        return n;
      }
    }
    throw new IllegalArgumentException("unknown card_type: " + cardType);
  }
}
