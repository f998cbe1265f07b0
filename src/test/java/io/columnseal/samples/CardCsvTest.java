package io.columnseal.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class CardCsvTest {
  private static String quoted(String field) {
    StringBuilder out = new StringBuilder();
    CardCsv.appendField(out, field);
    return out.toString();
  }

  @Test
  void quotesOnlyWhatRfc4180Requires() {
    assertEquals("plain text", quoted("plain text"));
    assertEquals("O'Brien", quoted("O'Brien"));
    assertEquals("\"a,b\"", quoted("a,b"));
    assertEquals("\"O'Brien, \"\"Jack\"\"\"", quoted("O'Brien, \"Jack\""));
    assertEquals("\"line\nbreak\"", quoted("line\nbreak"));
    assertEquals("\"carriage\rreturn\"", quoted("carriage\rreturn"));
    assertEquals("\"\"", quoted(""));
    assertEquals("", quoted(null));
  }

  @Test
  void headerNamesTheColumnsInOrder() {
    assertEquals("card_number,cardholder_name,expiry,cvv,street_address,city,state,zip,card_type,"
        + "company,amount,txn_ts", CardCsv.HEADER);
  }

  @Test
  void writesALineWithTypedValuesAndNulls() {
    CardTransaction row = new CardTransaction("378282246310005", "Doe, \"JJ\"",
        LocalDate.of(2027, 2, 28), "0042", "12 Main St, Apt 3B", "Boston", "MA", "02108",
        "amex", null, new BigDecimal("-1250.50"), LocalDateTime.of(2024, 2, 29, 7, 5, 9));
    assertEquals("378282246310005,\"Doe, \"\"JJ\"\"\",2027-02-28,0042,\"12 Main St, Apt 3B\","
        + "Boston,MA,02108,amex,,-1250.50,2024-02-29 07:05:09\n", CardCsv.line(row));
  }

  @Test
  void writesMissingTrailingValuesAsEmptyFields() {
    CardTransaction row = new CardTransaction("4111111111111111", "王伟", LocalDate.of(2030, 1, 31),
        "007", "丸の内1-2-3", "東京", null, null, "visa", null, null,
        LocalDateTime.of(2026, 12, 31, 23, 59, 59));
    assertEquals("4111111111111111,王伟,2030-01-31,007,丸の内1-2-3,東京,,,visa,,,2026-12-31 23:59:59\n",
        CardCsv.line(row));
  }
}
