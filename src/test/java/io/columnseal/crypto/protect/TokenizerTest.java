package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The token protection (FORMAT.md 10.4): HMAC-SHA-256 of domain, type and value, truncated hex. */
class TokenizerTest {
  private static final ColumnSpec PAN = ColumnSpec.of("cards", "card_number", CellType.STRING);

  private static DomainKey key(String domain) {
    return DomainKey.of(domain, DekId.parse("0101010101010101"), DeterministicCipherTest.keyBytes(0x20));
  }

  @Test
  void aTokenIsTheDocumentedHmacTruncated() throws Exception {
    byte[] sub;
    try (DomainKey k = key("pan")) {
      sub = k.derive(DomainKey.INFO_TOKEN);
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(sub, "HmacSHA256"));
    byte[] full = mac.doFinal(HexFormat.of().parseHex("0003" + "70616e" + "010000" + "34313131"));
    try (DomainKey k = key("pan"); Tokenizer t = Tokenizer.open(k, 16); Tokenizer t8 = Tokenizer.open(k, 8)) {
      assertEquals(HexFormat.of().formatHex(full, 0, 16), t.tokenValue(PAN, "4111"));
      assertEquals(HexFormat.of().formatHex(full, 0, 8), t8.tokenValue(PAN, "4111"));
      assertEquals(32, t.tokenValue(PAN, "x").length());
    }
  }

  @Test
  void equalInAndAcrossInstancesDifferentAcrossDomainsTypesAndValues() {
    try (DomainKey k = key("pan"); DomainKey other = key("names");
        Tokenizer a = Tokenizer.open(k, 16); Tokenizer b = Tokenizer.open(k, 16); Tokenizer c = Tokenizer.open(other, 16)) {
      ColumnSpec elsewhere = ColumnSpec.of("transactions", "pan", CellType.STRING);
      assertEquals(a.tokenValue(PAN, "4111111111111111"), b.tokenValue(elsewhere, "4111111111111111"));
      assertNotEquals(a.tokenValue(PAN, "4111111111111111"), c.tokenValue(PAN, "4111111111111111"));
      assertNotEquals(a.tokenValue(PAN, "4111111111111111"), a.tokenValue(PAN, "4111111111111112"));
      ColumnSpec asBinary = ColumnSpec.of("cards", "card_number", CellType.BINARY);
      assertNotEquals(a.tokenValue(PAN, "ab"), a.tokenValue(asBinary, new byte[] {'a', 'b'}));
    }
  }

  @Test
  void aSliceOfABufferGivesTheSameToken() {
    try (DomainKey k = key("pan"); Tokenizer t = Tokenizer.open(k, 16)) {
      byte[] buffer = "xx4111111111111111yy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertEquals(t.tokenValue(PAN, "4111111111111111"), t.token(PAN, buffer, 2, 16));
    }
  }

  @Test
  void tokenShape() {
    try (DomainKey k = key("pan"); Tokenizer t = Tokenizer.open(k, 16)) {
      String token = t.tokenValue(PAN, "4111111111111111");
      org.junit.jupiter.api.Assertions.assertTrue(Tokenizer.hasTokenShape(token, 16));
      org.junit.jupiter.api.Assertions.assertFalse(Tokenizer.hasTokenShape(token, 8));
      org.junit.jupiter.api.Assertions.assertFalse(Tokenizer.hasTokenShape(token.toUpperCase(java.util.Locale.ROOT), 16));
      org.junit.jupiter.api.Assertions.assertFalse(Tokenizer.hasTokenShape("411111111111111g", 8));
    }
  }

  @Test
  void tokenLengthIsBounded() {
    try (DomainKey k = key("pan")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.open(k, 7));
      assertEquals("token length must be 8 to 32 bytes, got 7", e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Tokenizer.open(k, 33));
      try (Tokenizer t = Tokenizer.open(k, 32)) {
        assertEquals(64, t.tokenValue(PAN, "4111").length());
      }
    }
  }
}
