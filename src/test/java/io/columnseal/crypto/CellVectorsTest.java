package io.columnseal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.FormatVectors.Vector;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers from docs/FORMAT.md section 7, checked against columnseal's own code and, for
 * the AES-GCM part, against BouncyCastle's lightweight GCM, so the vectors are not merely
 * self-consistent.
 */
class CellVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  /** Type tags as FORMAT.md section 4 lists them, written out here rather than read from CellType. */
  private static final Map<String, Integer> DOC_TYPE_TAGS = Map.ofEntries(
      Map.entry("string", 0x01), Map.entry("boolean", 0x02), Map.entry("byte", 0x03), Map.entry("short", 0x04),
      Map.entry("int", 0x05), Map.entry("long", 0x06), Map.entry("float", 0x07), Map.entry("double", 0x08),
      Map.entry("decimal", 0x09), Map.entry("date", 0x0a), Map.entry("timestamp", 0x0b),
      Map.entry("timestamp_ntz", 0x0c), Map.entry("binary", 0x0d));

  static List<Vector> vectors() {
    return FormatVectors.load();
  }

  @Test
  void documentCoversTheTypesWithEnoughVectors() {
    List<Vector> all = vectors();
    assertTrue(all.size() >= 6, "FORMAT.md has " + all.size() + " vectors");
    Set<String> names = new HashSet<>();
    Set<CellType> types = new HashSet<>();
    for (Vector v : all) {
      assertTrue(names.add(v.name()), "vector name used twice: " + v.name());
      types.add(v.spec().type());
    }
    for (CellType t : List.of(CellType.STRING, CellType.INT, CellType.LONG, CellType.DECIMAL, CellType.DATE,
        CellType.TIMESTAMP, CellType.BOOLEAN, CellType.BINARY, CellType.DOUBLE)) {
      assertTrue(types.contains(t), "no vector of type " + t);
    }
    assertTrue(all.stream().anyMatch(v -> v.type().equals("string") && v.plaintext().length == 0), "empty string");
    assertTrue(all.stream().anyMatch(v -> v.type().equals("string") && !isAscii(v.plaintext())), "non-ASCII string");
    assertTrue(all.stream().anyMatch(v -> v.type().equals("string") && v.plaintext().length > 0 && isAscii(v.plaintext())),
        "ASCII string");
    assertTrue(all.stream().anyMatch(v -> v.type().equals("decimal(12,2)") && ((BigDecimal) v.javaValue()).signum() < 0),
        "negative decimal(12,2)");
    assertTrue(all.stream().anyMatch(v -> v.type().startsWith("decimal(38,")
        && ((BigDecimal) v.javaValue()).unscaledValue().abs().equals(new java.math.BigInteger("9".repeat(38)))),
        "largest decimal(38,x)");
    assertTrue(all.stream().anyMatch(v -> v.type().equals("date") && ((LocalDate) v.javaValue()).toEpochDay() < 0),
        "date before 1970");
  }

  @Test
  void keysAreTheDocumentsMadeUpKeys() {
    byte[] first = new byte[32];
    byte[] second = new byte[32];
    for (int i = 0; i < 32; i++) {
      first[i] = (byte) i;
      second[i] = (byte) (0x20 + i);
    }
    for (Vector v : vectors()) {
      assertTrue(Arrays.equals(v.key(), first) || Arrays.equals(v.key(), second), v.name() + " uses another key");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void associatedDataMatchesTheDocumentedLayout(Vector v) throws IOException {
    assertArrayEquals(v.aad(), CellFormat.associatedData(v.spec(), v.dekId()), "CellFormat.associatedData");
    assertArrayEquals(v.aad(), layoutFromSection3(v), "section 3 layout built by the test");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void plaintextIsTheSection4EncodingOfTheValue(Vector v) {
    ColumnSpec spec = v.spec();
    assertArrayEquals(v.plaintext(), ValueCodec.encode(spec, v.javaValue()));
    Object decoded = ValueCodec.decode(spec, v.plaintext());
    Object expected = v.javaValue();
    if (expected instanceof byte[]) {
      assertArrayEquals((byte[]) expected, (byte[]) decoded);
    } else if (expected instanceof BigDecimal) {
      assertEquals(((BigDecimal) expected).setScale(spec.scale()), decoded);
    } else {
      assertEquals(expected, decoded);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void cellHeaderAndLengthFollowSection2(Vector v) {
    byte[] cell = v.cell();
    assertEquals(CellFormat.OVERHEAD_BYTES + v.plaintext().length, cell.length);
    assertEquals(1, cell[0]);
    assertArrayEquals(v.dekId().toBytes(), Arrays.copyOfRange(cell, 1, 9));
    assertEquals(v.counter(), ByteBuffer.wrap(cell, 9, 4).getInt() & 0xFFFFFFFFL);
    assertEquals(v.dekId(), CellFormat.dekIdOf(cell));
    assertEquals(v.counter(), CellFormat.counterOf(cell));
    assertEquals(v.plaintext().length, CellFormat.plaintextLength(cell));
  }

  /** Vectors of one DEK are sealed by one encryptor, counters 0, 1, 2, ... in document order. */
  @Test
  void cellEncryptorSealsExactlyTheDocumentedCells() {
    Map<String, List<Vector>> byDek = new LinkedHashMap<>();
    for (Vector v : vectors()) {
      byDek.computeIfAbsent(HEX.formatHex(v.key()) + "/" + v.dekId(), k -> new ArrayList<>()).add(v);
    }
    for (List<Vector> group : byDek.values()) {
      Vector first = group.get(0);
      try (SealingKey key = SealingKey.of(first.dekId(), first.key()); CellEncryptor encryptor = CellEncryptor.open(key)) {
        for (int i = 0; i < group.size(); i++) {
          Vector v = group.get(i);
          assertEquals(i, v.counter(), v.name() + ": counters of one DEK run 0, 1, 2, ... in document order");
          assertEquals(i, encryptor.cellsSealed());
          assertArrayEquals(v.cell(), encryptor.column(v.spec()).seal(v.plaintext()), v.name());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void cellDecryptorOpensTheCellToThePlaintext(Vector v) {
    try (OpeningKey key = OpeningKey.of(v.dekId(), v.key()); CellDecryptor decryptor = CellDecryptor.open(key)) {
      assertArrayEquals(v.plaintext(), decryptor.open(v.spec(), v.cell()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void independentAesGcmAgreesWithTheCell(Vector v) throws InvalidCipherTextException {
    byte[] nonce = new byte[12];
    System.arraycopy(v.dekId().toBytes(), 0, nonce, 0, 8);
    ByteBuffer.wrap(nonce, 8, 4).putInt((int) v.counter());

    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(true, new AEADParameters(new KeyParameter(v.key()), 128, nonce, v.aad()));
    byte[] sealed = new byte[gcm.getOutputSize(v.plaintext().length)];
    int n = gcm.processBytes(v.plaintext(), 0, v.plaintext().length, sealed, 0);
    gcm.doFinal(sealed, n);

    byte[] expected = new byte[13 + sealed.length];
    expected[0] = 0x01;
    System.arraycopy(nonce, 0, expected, 1, 12);
    System.arraycopy(sealed, 0, expected, 13, sealed.length);
    assertArrayEquals(expected, v.cell(), "BouncyCastle AES-GCM gives another cell");

    GCMModeCipher open = GCMBlockCipher.newInstance(AESEngine.newInstance());
    open.init(false, new AEADParameters(new KeyParameter(v.key()), 128, nonce, v.aad()));
    byte[] body = Arrays.copyOfRange(v.cell(), 13, v.cell().length);
    byte[] plain = new byte[open.getOutputSize(body.length)];
    int m = open.processBytes(body, 0, body.length, plain, 0);
    m += open.doFinal(plain, m);
    assertArrayEquals(v.plaintext(), Arrays.copyOf(plain, m));
  }

  /** FORMAT.md section 3, written from the table rather than from CellFormat. */
  private static byte[] layoutFromSection3(Vector v) throws IOException {
    ColumnSpec spec = v.spec();
    byte[] dataset = v.dataset().getBytes(StandardCharsets.UTF_8);
    byte[] column = v.column().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(0x01);
      out.writeShort(dataset.length);
      out.write(dataset);
      out.writeShort(column.length);
      out.write(column);
      String baseType = v.type().startsWith("decimal(") ? "decimal" : v.type();
      out.writeByte(DOC_TYPE_TAGS.get(baseType));
      out.writeByte(baseType.equals("decimal") ? spec.precision() : 0);
      out.writeByte(baseType.equals("decimal") ? spec.scale() : 0);
      out.writeLong(v.dekId().asLong());
    }
    return bytes.toByteArray();
  }

  private static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return false;
      }
    }
    return true;
  }
}
