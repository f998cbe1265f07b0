package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fpe protection (FORMAT.md 10.3): FF1 over digits, kept digits, Luhn, the 10^6 floor. */
class FormatPreservingCipherTest {
  private static final String PAN = "4111111111111111"; // a test card number, Luhn-valid

  private static FormatPreservingCipher open(String domain, FpeOptions options) {
    try (DomainKey k = DomainKey.of(domain, DekId.parse("f0f1f2f3f4f5f6f7"), DeterministicCipherTest.keyBytes(0x10))) {
      return FormatPreservingCipher.open(k, options);
    }
  }

  static boolean luhnValid(String s) {
    byte[] d = new byte[s.length()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) (s.charAt(i) - '0');
    }
    return Luhn.valid(d, d.length);
  }

  @Test
  void luhnOfKnownNumbers() {
    assertTrue(luhnValid("4111111111111111"));
    assertTrue(luhnValid("79927398713"));
    assertTrue(!luhnValid("79927398710"));
    assertTrue(!luhnValid("4111111111111112"));
  }

  @ParameterizedTest(name = "first6={0} last4={1} luhn={2}")
  @CsvSource({"false,false,false", "true,false,false", "false,true,false", "true,true,false",
      "false,false,true", "true,false,true", "false,true,true", "true,true,true"})
  void randomCardNumbersRoundTripInEveryMode(boolean first6, boolean last4, boolean luhn) {
    FpeOptions options = new FpeOptions(first6, last4, luhn);
    Random r = new Random(14);
    try (FormatPreservingCipher c = open("pan", options); FormatPreservingCipher again = open("pan", options)) {
      for (int n = 0; n < 300; n++) {
        String value = luhnNumber(r, c.minDigits() + r.nextInt(8));
        String enc = c.encrypt("card_number", value);
        assertEquals(value.length(), enc.length());
        assertTrue(enc.chars().allMatch(ch -> ch >= '0' && ch <= '9'), enc);
        assertEquals(enc, again.encrypt("card_number", value), "deterministic across instances");
        assertEquals(value, c.decrypt("card_number", enc));
        if (first6) {
          assertEquals(value.substring(0, 6), enc.substring(0, 6));
        }
        if (last4) {
          assertEquals(value.substring(value.length() - 4), enc.substring(enc.length() - 4));
        }
        if (luhn) {
          assertTrue(luhnValid(enc), "output passes Luhn");
        }
      }
    }
  }

  @Test
  void theMiddleActuallyChangesAndDomainsDiffer() {
    try (FormatPreservingCipher pan = open("pan", FpeOptions.PAN_6_4_LUHN);
        FormatPreservingCipher other = open("pan-test", FpeOptions.PAN_6_4_LUHN)) {
      String a = pan.encrypt("c", PAN);
      assertNotEquals(PAN, a);
      assertNotEquals(a, other.encrypt("c", PAN));
    }
  }

  @Test
  void theKeptDigitsAreBoundInTheTweak() {
    // Same middle digits, different BIN: without the BIN in the tweak the middles would match.
    try (FormatPreservingCipher c = open("pan", new FpeOptions(true, true, false))) {
      String a = c.encrypt("c", "411111" + "123456" + "1111");
      String b = c.encrypt("c", "511111" + "123456" + "1111");
      assertNotEquals(a.substring(6, 12), b.substring(6, 12));
    }
  }

  @Test
  void tooFewEncryptedDigitsAreRefusedNamingTheLength() {
    try (FormatPreservingCipher full = open("pan", FpeOptions.FULL);
        FormatPreservingCipher pan = open("pan", FpeOptions.PAN_6_4_LUHN)) {
      assertEquals(6, full.encrypt("cvv", "123456").length());
      FpeInputException e = assertThrows(FpeInputException.class, () -> full.encrypt("cvv", "12345"));
      assertEquals("a value of column cvv has 5 digits; fpe with these options encrypts 5 of them and needs at least"
          + " 6 (10^6 values): refused rather than weakly encrypted", e.getMessage());
      // 15 digits minus 6 kept and 4 kept leave 5.
      FpeInputException amex = assertThrows(FpeInputException.class, () -> pan.encrypt("card_number", "378282246310005"));
      assertEquals("a value of column card_number has 15 digits; fpe with these options encrypts 5 of them and needs"
          + " at least 6 (10^6 values): refused rather than weakly encrypted", amex.getMessage());
      assertEquals(16, pan.minDigits());
    }
  }

  @Test
  void nonDigitsAreRefusedWithoutTheValue() {
    try (FormatPreservingCipher c = open("pan", FpeOptions.FULL)) {
      FpeInputException e = assertThrows(FpeInputException.class, () -> c.encrypt("card_number", "4111 1111 1111 1111"));
      assertEquals("a value of column card_number has a character other than 0-9 at position 5 of 19; fpe takes"
          + " digits only (strip separators first)", e.getMessage());
      assertThrows(FpeInputException.class, () -> c.encrypt("card_number", "41111111111111１1")); // full-width digit
      assertThrows(FpeInputException.class, () -> c.decrypt("card_number", "411111111111111a"));
    }
  }

  @Test
  void aBadLuhnDigitIsRefusedInLuhnModeOnly() {
    String bad = "4111111111111112";
    try (FormatPreservingCipher luhn = open("pan", new FpeOptions(true, false, true));
        FormatPreservingCipher plain = open("pan", new FpeOptions(true, false, false))) {
      FpeInputException e = assertThrows(FpeInputException.class, () -> luhn.encrypt("card_number", bad));
      assertEquals("a value of column card_number (16 digits) does not end in a valid Luhn check digit, which fpe"
          + " with luhn requires", e.getMessage());
      assertTrue(!e.getMessage().contains(bad));
      assertEquals(bad, plain.decrypt("card_number", plain.encrypt("card_number", bad)));
    }
  }

  @Test
  void asciiBytesGiveTheSameAsStringsAndOutputsHaveTheShape() {
    try (FormatPreservingCipher c = open("pan", FpeOptions.PAN_6_4_LUHN)) {
      String enc = c.encrypt("card_number", PAN);
      byte[] encAscii = c.encryptAscii("card_number", PAN.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertEquals(enc, new String(encAscii, java.nio.charset.StandardCharsets.US_ASCII));
      assertEquals(PAN, new String(c.decryptAscii("card_number", encAscii), java.nio.charset.StandardCharsets.US_ASCII));
      FpeInputException e = assertThrows(FpeInputException.class,
          () -> c.encryptAscii("card_number", "4111-1111".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      assertEquals("a value of column card_number has a byte other than 0-9 at position 5 of 9; fpe takes digits only"
          + " (strip separators first)", e.getMessage());
      assertTrue(c.hasOutputShape(enc));
      assertTrue(!c.hasOutputShape("4111111111111112"), "fails Luhn");
      assertTrue(!c.hasOutputShape("411111111111111"), "too short");
      assertTrue(!c.hasOutputShape("411111111111111a"));
    }
  }

  @Test
  void closedCipherRefusesWork() {
    FormatPreservingCipher c = open("pan", FpeOptions.FULL);
    c.close();
    assertThrows(IllegalStateException.class, () -> c.encrypt("c", PAN));
  }

  static String luhnNumber(Random r, int length) {
    byte[] d = new byte[length];
    for (int i = 0; i < length - 1; i++) {
      d[i] = (byte) r.nextInt(10);
    }
    d[length - 1] = (byte) Luhn.checkDigit(d, length - 1);
    StringBuilder s = new StringBuilder();
    for (byte b : d) {
      s.append((char) ('0' + b));
    }
    return s.toString();
  }
}
