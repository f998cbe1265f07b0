package io.columnseal.samples;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Synthetic card-issuer rows, the same for the same seed on any machine.
 *
 * <p>Randomness comes only from {@link Random#nextInt(int)} and {@link Random#nextBoolean()},
 * whose algorithms the Javadoc of {@link Random} specifies exactly, and every draw happens in a
 * fixed order, so a seed fixes every byte of the output whatever the JDK or platform. No
 * floating point, default locale, time zone or clock is involved.
 *
 * <p>Missing values are nulls: {@code company} (personal cards, about 35%), {@code zip} (about
 * 2%, plus places without postal codes), {@code state} (places without states) and {@code
 * amount} (about 2%, authorisations never settled). The other columns are never null.
 */
public final class CardDataGenerator {
  public static final long DEFAULT_SEED = 20261122L;
  public static final int DEFAULT_ROWS = 1000;

  private static final LocalDateTime FIRST_TXN = LocalDateTime.of(2024, 1, 1, 0, 0, 0);
  private static final int TXN_SPAN_SECONDS = 94_694_400; // 2024-01-01 to 2027-01-01, exclusive

  private final Random random;

  public CardDataGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** The first {@code count} rows of {@code seed}, in memory. */
  public static List<CardTransaction> rows(long seed, int count) {
    CardDataGenerator generator = new CardDataGenerator(seed);
    List<CardTransaction> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(generator.next());
    }
    return rows;
  }

  /** The first {@code count} rows of {@code seed}, made lazily. */
  public static Stream<CardTransaction> stream(long seed, long count) {
    CardDataGenerator generator = new CardDataGenerator(seed);
    return Stream.generate(generator::next).limit(count);
  }

  /** Writes a header and {@code count} rows as UTF-8 CSV, each row as it is made. */
  public static void writeCsv(long seed, long count, OutputStream out) {
    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    CardDataGenerator generator = new CardDataGenerator(seed);
    CardCsv.writeHeader(writer);
    for (long i = 0; i < count; i++) {
      CardCsv.writeRow(generator.next(), writer);
    }
    try {
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write CSV", e);
    }
  }

  /** Writes (or overwrites) {@code file}; see {@link #writeCsv(long, long, OutputStream)}. */
  public static void writeCsv(long seed, long count, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      writeCsv(seed, count, out);
    }
  }

  /** The next row. */
  public CardTransaction next() {
    CardNetwork network = network();
    String cardNumber = CardNumbers.next(network, random);
    String name = Names.cardholder(random);
    LocalDateTime txnTs = FIRST_TXN.plusSeconds(random.nextInt(TXN_SPAN_SECONDS));
    // Cards expire at the end of a month, after the transaction.
    LocalDate expiry = YearMonth.from(txnTs).plusMonths(1 + random.nextInt(72)).atEndOfMonth();
    String cvv = digits(network.cvvLength());
    Places.Place place = Places.pick(random);
    String street = Places.street(place, random);
    String zip = Places.zip(place, random);
    if (random.nextInt(100) < 2) {
      zip = null;
    }
    String company = random.nextInt(100) < 35 ? null : Companies.pick(random);
    BigDecimal amount = amount();
    return new CardTransaction(cardNumber, name, expiry, cvv, street, place.city(), place.state(),
        zip, network.cardType(), company, amount, txnTs);
  }

  private CardNetwork network() {
    int p = random.nextInt(100);
    if (p < 40) {
      return CardNetwork.VISA;
    }
    if (p < 70) {
      return CardNetwork.MASTERCARD;
    }
    if (p < 80) {
      return CardNetwork.AMEX;
    }
    if (p < 87) {
      return CardNetwork.JCB;
    }
    if (p < 92) {
      return CardNetwork.DINERS;
    }
    return CardNetwork.MAESTRO;
  }

  /** Digits as a string, leading zeros kept. */
  private String digits(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = (char) ('0' + random.nextInt(10));
    }
    return new String(out);
  }

  /**
   * Mostly small purchases, a tail up to 99,999.99, some $0 card checks, about 6% refunds
   * (negative) and about 2% nulls. Always scale 2, within decimal(12,2).
   */
  private BigDecimal amount() {
    int p = random.nextInt(100);
    if (p < 2) {
      return null;
    }
    if (p < 3) {
      return BigDecimal.valueOf(0, 2);
    }
    int bucket = random.nextInt(100);
    long cents;
    if (bucket < 50) {
      cents = 1 + random.nextInt(10_000);
    } else if (bucket < 85) {
      cents = 10_000 + random.nextInt(90_000);
    } else if (bucket < 97) {
      cents = 100_000 + random.nextInt(900_000);
    } else {
      cents = 1_000_000 + random.nextInt(9_000_000);
    }
    if (p < 9) {
      cents = -cents;
    }
    return BigDecimal.valueOf(cents, 2);
  }
}
