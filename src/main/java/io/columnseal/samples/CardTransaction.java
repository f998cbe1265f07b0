package io.columnseal.samples;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * One row of the synthetic card-issuer data set, in {@link CardSchema} column order. A null
 * field is a missing value; no field is ever an empty string (see {@link CardCsv}).
 *
 * <p>{@code txnTs} is a wall-clock time in UTC. {@code amount} has scale 2.
 */
public record CardTransaction(
    String cardNumber,
    String cardholderName,
    LocalDate expiry,
    String cvv,
    String streetAddress,
    String city,
    String state,
    String zip,
    String cardType,
    String company,
    BigDecimal amount,
    LocalDateTime txnTs) {

  /** Values in column order, as CSV and Spark see them. */
  public Object[] values() {
    return new Object[] {
      cardNumber, cardholderName, expiry, cvv, streetAddress, city, state, zip, cardType, company,
      amount, txnTs
    };
  }

  /** Names the row by its non-sensitive fields only: card data stays out of logs. */
  @Override
  public String toString() {
    return "CardTransaction[card_type=" + cardType + ", txn_ts=" + txnTs + "]";
  }
}
