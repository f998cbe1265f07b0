package io.columnseal.samples;

import java.util.List;

/** The columns of the sample data set and their Spark types. */
public final class CardSchema {
  /** Column names in file order. */
  public static final List<String> COLUMNS = List.of(
      "card_number", "cardholder_name", "expiry", "cvv", "street_address", "city", "state", "zip",
      "card_type", "company", "amount", "txn_ts");

  /**
   * The Spark DDL of the data set, as in data-samples/financial.schema.ddl. cvv and zip are
   * strings so their leading zeros survive; txn_ts is a UTC timestamp.
   */
  public static final String DDL = "card_number STRING, cardholder_name STRING, expiry DATE, "
      + "cvv STRING, street_address STRING, city STRING, state STRING, zip STRING, "
      + "card_type STRING, company STRING, amount DECIMAL(12,2), txn_ts TIMESTAMP";

  private CardSchema() {}
}
