package io.columnseal.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CardDataGeneratorTest {
  private static final List<CardTransaction> ROWS =
      CardDataGenerator.rows(CardDataGenerator.DEFAULT_SEED, CardDataGenerator.DEFAULT_ROWS);

  // IIN ranges and lengths written out again here, apart from CardNumbers, so a mistake there
  // cannot hide behind itself.
  private static final Map<String, Pattern> NETWORK_NUMBERS = Map.of(
      "visa", Pattern.compile("4\\d{15}|4\\d{18}"),
      "mastercard", Pattern.compile("(5[1-5]|222[1-9]|22[3-9]\\d|2[3-6]\\d\\d|27[01]\\d|2720)\\d+"),
      "amex", Pattern.compile("3[47]\\d{13}"),
      "jcb", Pattern.compile("35(2[89]|[3-8]\\d)\\d{12,15}"),
      "diners", Pattern.compile("3[68]\\d{12}|30[0-5]\\d{11}"),
      "maestro", Pattern.compile("(5018|5020|5038|6304|6759|676[1-3])\\d{12,15}"));

  private static byte[] csv(long seed, long rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CardDataGenerator.writeCsv(seed, rows, out);
    return out.toByteArray();
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() {
    byte[] first = csv(CardDataGenerator.DEFAULT_SEED, 500);
    assertArrayEquals(first, csv(CardDataGenerator.DEFAULT_SEED, 500));
    byte[] other = csv(CardDataGenerator.DEFAULT_SEED + 1, 500);
    assertFalse(java.util.Arrays.equals(first, other));
    assertEquals(new String(first, StandardCharsets.UTF_8).lines().findFirst().orElseThrow(),
        new String(other, StandardCharsets.UTF_8).lines().findFirst().orElseThrow(),
        "only the header is shared");
  }

  @Test
  void aLongerRunStartsWithTheShorterOne() {
    String small = new String(csv(5, 300), StandardCharsets.UTF_8);
    String large = new String(csv(5, 400), StandardCharsets.UTF_8);
    assertTrue(large.startsWith(small));
  }

  @Test
  void listStreamAndCsvAgree() {
    StringBuilder fromList = new StringBuilder(CardCsv.HEADER).append('\n');
    ROWS.forEach(row -> fromList.append(CardCsv.line(row)));
    assertEquals(fromList.toString(),
        new String(csv(CardDataGenerator.DEFAULT_SEED, ROWS.size()), StandardCharsets.UTF_8));
    assertEquals(ROWS, CardDataGenerator.stream(CardDataGenerator.DEFAULT_SEED, ROWS.size()).toList());
  }

  @Test
  void everyCardNumberIsLuhnValidAndFitsItsNetwork() {
    for (CardTransaction row : ROWS) {
      String number = row.cardNumber();
      assertTrue(number.matches("\\d{14,19}"), "14-19 digits, " + row);
      assertTrue(Luhn.isValid(number), "Luhn, " + row);
      Pattern network = NETWORK_NUMBERS.get(row.cardType());
      assertNotNull(network, "known card_type, " + row);
      assertTrue(network.matcher(number).matches(), "prefix and length of " + row);
      if (row.cardType().equals("mastercard")) {
        assertEquals(16, number.length(), row.toString());
      }
    }
  }

  @Test
  void allSixNetworksAppear() {
    Set<CardNetwork> seen = ROWS.stream()
        .map(row -> CardNetwork.ofCardType(row.cardType()))
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(CardNetwork.class)));
    assertEquals(EnumSet.allOf(CardNetwork.class), seen);
    assertEquals(Set.of("visa", "mastercard", "amex", "jcb", "diners", "maestro"),
        NETWORK_NUMBERS.keySet());
  }

  @Test
  void cvvIsThreeDigitsOrFourForAmexWithLeadingZerosKept() {
    for (CardTransaction row : ROWS) {
      int expected = row.cardType().equals("amex") ? 4 : 3;
      assertTrue(row.cvv().matches("\\d{" + expected + "}"), "cvv length of " + row);
    }
    assertTrue(ROWS.stream().anyMatch(r -> r.cvv().startsWith("0") && r.cardType().equals("amex")));
    assertTrue(ROWS.stream().anyMatch(r -> r.cvv().startsWith("0") && !r.cardType().equals("amex")));
  }

  @Test
  void namesIncludeOtherScriptsAndCharactersOutsideTheBmp() {
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().chars().anyMatch(c -> c > 0x7F)));
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().matches(".*\\p{IsHan}.*")));
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().matches(".*\\p{IsCyrillic}.*")));
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().matches(".*\\p{IsArabic}.*")));
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().matches(".*[éèëüöøåłńñçõã].*")));
    assertTrue(ROWS.stream().anyMatch(
        r -> r.cardholderName().codePoints().anyMatch(Character::isSupplementaryCodePoint)));
  }

  @Test
  void someFieldsNeedQuoting() {
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().contains(",")));
    assertTrue(ROWS.stream().anyMatch(r -> r.cardholderName().contains("\"")));
    assertTrue(ROWS.stream().anyMatch(
        r -> r.cardholderName().contains(",") && r.cardholderName().contains("\"")));
    assertTrue(ROWS.stream().anyMatch(r -> r.streetAddress().contains(",")));
    assertTrue(ROWS.stream().anyMatch(r -> r.company() != null && r.company().contains(",")));
    // No line breaks anywhere: Spark can read the file without multiLine and split it.
    assertTrue(ROWS.stream().flatMap(r -> java.util.Arrays.stream(r.values()))
        .noneMatch(v -> v instanceof String s && (s.contains("\n") || s.contains("\r"))));
  }

  @Test
  void missingValuesAreNullsOnlyWhereDocumentedAndNeverEmptyStrings() {
    assertTrue(ROWS.stream().anyMatch(r -> r.company() == null));
    assertTrue(ROWS.stream().anyMatch(r -> r.zip() == null));
    assertTrue(ROWS.stream().anyMatch(r -> r.state() == null));
    assertTrue(ROWS.stream().anyMatch(r -> r.amount() == null));
    for (CardTransaction row : ROWS) {
      for (Object value : List.of(row.cardNumber(), row.cardholderName(), row.expiry(), row.cvv(),
          row.streetAddress(), row.city(), row.cardType(), row.txnTs())) {
        assertNotNull(value, "never null in " + row);
      }
      for (Object value : row.values()) {
        assertFalse("".equals(value), "no empty strings in " + row);
      }
    }
  }

  @Test
  void zipCodesKeepLeadingZeros() {
    assertTrue(ROWS.stream().anyMatch(r -> r.zip() != null && r.zip().matches("0\\d{4}(-\\d{4})?")));
  }

  @Test
  void amountsFitDecimal12Scale2WithRefundsAndZeros() {
    BigDecimal max = new BigDecimal("9999999999.99");
    for (CardTransaction row : ROWS) {
      if (row.amount() != null) {
        assertEquals(2, row.amount().scale(), row.toString());
        assertTrue(row.amount().abs().compareTo(max) <= 0, row.toString());
      }
    }
    assertTrue(ROWS.stream().anyMatch(r -> r.amount() != null && r.amount().signum() < 0));
    assertTrue(ROWS.stream().anyMatch(r -> r.amount() != null && r.amount().signum() == 0));
  }

  @Test
  void transactionsSpan2024To2026AndCardsExpireAtMonthEndAfterThem() {
    LocalDateTime first = LocalDateTime.of(2024, 1, 1, 0, 0);
    LocalDateTime end = LocalDateTime.of(2027, 1, 1, 0, 0);
    Set<Integer> years = ROWS.stream().map(r -> r.txnTs().getYear()).collect(Collectors.toSet());
    assertEquals(Set.of(2024, 2025, 2026), years);
    for (CardTransaction row : ROWS) {
      assertFalse(row.txnTs().isBefore(first), row.toString());
      assertTrue(row.txnTs().isBefore(end), row.toString());
      assertEquals(0, row.txnTs().getNano(), row.toString());
      assertEquals(YearMonth.from(row.expiry()).atEndOfMonth(), row.expiry(), row.toString());
      assertTrue(row.expiry().isAfter(row.txnTs().toLocalDate()), row.toString());
    }
  }

  @Test
  void streamsManyRowsWithoutHoldingThem() {
    long[] lines = {0};
    OutputStream counter = new OutputStream() {
      @Override
      public void write(int b) {
        if (b == '\n') {
          lines[0]++;
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
          write(b[i]);
        }
      }
    };
    CardDataGenerator.writeCsv(99, 50_000, counter);
    assertEquals(50_001, lines[0]);
  }

  @Test
  void rowToStringLeavesCardDataOut() {
    CardTransaction row = ROWS.get(0);
    String text = row.toString();
    assertFalse(text.contains(row.cardNumber()));
    assertFalse(text.contains(row.cvv()));
    assertFalse(text.contains(row.cardholderName()));
  }
}
