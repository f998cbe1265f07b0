package io.columnseal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DekIdTest {
  @Test
  void hexRoundTrip() {
    DekId id = DekId.parse("0123456789abcdef");
    assertEquals("0123456789abcdef", id.hex());
    assertEquals("0123456789abcdef", id.toString());
    assertEquals(0x0123456789abcdefL, id.asLong());
    assertEquals("ffffffffffffffff", DekId.fromLong(-1).hex());
    assertEquals("0000000000000000", DekId.fromLong(0).hex());
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      DekId r = DekId.fromLong(random.nextLong());
      assertEquals(r, DekId.parse(r.hex()));
      assertEquals(16, r.hex().length());
    }
  }

  @Test
  void byteRoundTrip() {
    DekId id = DekId.parse("a1b2c3d4e5f60718");
    byte[] bytes = id.toBytes();
    assertArrayEquals(HexFormat.of().parseHex("a1b2c3d4e5f60718"), bytes);
    assertEquals(id, DekId.fromBytes(bytes, 0));
    byte[] framed = new byte[12];
    id.writeTo(framed, 3);
    assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4, (byte) 0xe5, (byte) 0xf6,
        0x07, 0x18, 0}, framed);
    assertEquals(id, DekId.fromBytes(framed, 3));
    assertArrayEquals(bytes, id.toBytes());
  }

  @Test
  void equalityOrderAndHash() {
    DekId a = DekId.fromLong(1);
    assertEquals(a, DekId.parse("0000000000000001"));
    assertEquals(a.hashCode(), DekId.parse("0000000000000001").hashCode());
    assertNotEquals(a, DekId.fromLong(2));
    assertNotEquals(a, "0000000000000001");
    // Unsigned, as the hex reads: ff.. sorts after 7f..
    assertTrue(DekId.parse("ff00000000000000").compareTo(DekId.parse("7f00000000000000")) > 0);
    assertEquals(0, a.compareTo(DekId.fromLong(1)));
  }

  @Test
  void randomIdsDiffer() {
    SecureRandom random = new SecureRandom();
    Set<DekId> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertTrue(ids.add(DekId.random(random)));
    }
  }

  @Test
  void parseRefusesAnythingButSixteenLowerCaseHexDigits() {
    for (String bad : new String[] {"", "0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF", "0123456789abcdeg",
        "0x23456789abcdef", " 123456789abcdef", "0123456789abcde\u00e9", "-123456789abcdef", "+123456789abcdef"}) {
      assertThrows(IllegalArgumentException.class, () -> DekId.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> DekId.parse(null));
  }

  @Test
  void aRejectedIdIsDescribedNeverQuoted() {
    IllegalArgumentException upper = assertThrows(IllegalArgumentException.class, () -> DekId.parse("0123456789ABCDEF"));
    assertEquals("a DEK id is 16 lower-case hex digits, got a character that is not one at position 11", upper.getMessage());
    IllegalArgumentException secret = assertThrows(IllegalArgumentException.class, () -> DekId.parse("s3cr3t-passw0rd!"));
    assertEquals("a DEK id is 16 lower-case hex digits, got a character that is not one at position 1", secret.getMessage());
    IllegalArgumentException keyHex = assertThrows(IllegalArgumentException.class,
        () -> DekId.parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    assertEquals("a DEK id is 16 lower-case hex digits, got 64 characters", keyHex.getMessage());
  }

  @Test
  void parseErrorDoesNotEchoALongInput() {
    String keyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DekId.parse(keyHex));
    assertFalse(e.getMessage().contains("0001020304"), e.getMessage());
    assertTrue(e.getMessage().contains("64 characters"), e.getMessage());
  }

  @Test
  void fromBytesNeedsEightBytes() {
    assertThrows(IllegalArgumentException.class, () -> DekId.fromBytes(new byte[7], 0));
    assertThrows(IllegalArgumentException.class, () -> DekId.fromBytes(new byte[8], 1));
    assertThrows(IllegalArgumentException.class, () -> DekId.fromBytes(new byte[8], -1));
    assertEquals(DekId.fromLong(0), DekId.fromBytes(new byte[9], 1));
  }
}
