package io.columnseal.crypto;

import static io.columnseal.crypto.Secrets.assertSafe;
import static io.columnseal.crypto.Secrets.testKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every way a cell can be wrong fails, with its own exception and a message safe to log. */
class CellTamperingTest {
  private static final DekId ID = DekId.parse("5eed5eed00c0ffee");
  private static final byte[] KEY = testKey(0x60);
  private static final ColumnSpec PAN = ColumnSpec.of("cards", "card_number", CellType.STRING);
  private static final ColumnSpec CVV = ColumnSpec.of("cards", "cvv", CellType.INT);
  private static final ColumnSpec BALANCE = ColumnSpec.decimal("cards", "balance", 12, 2);
  private static final byte[] VALUE = "4111111111111111".getBytes(StandardCharsets.UTF_8);

  private SealingKey key;
  private OpeningKey opening;
  private CellDecryptor decryptor;
  private byte[] panCell;
  private byte[] cvvCell;
  private byte[] balanceCell;

  @BeforeEach
  void seal() {
    key = SealingKey.of(ID, KEY);
    opening = OpeningKey.of(ID, KEY);
    try (CellEncryptor encryptor = CellEncryptor.open(key)) {
      panCell = encryptor.column(PAN).seal(VALUE);
      cvvCell = encryptor.column(CVV).seal(ValueCodec.encode(CVV, 737));
      balanceCell = encryptor.column(BALANCE).seal(ValueCodec.encode(BALANCE, new java.math.BigDecimal("-12.34")));
    }
    decryptor = CellDecryptor.open(opening);
    assertArrayEquals(VALUE, decryptor.open(PAN, panCell));
  }

  @AfterEach
  void destroy() {
    decryptor.close();
    key.destroy();
    opening.destroy();
  }

  @Test
  void everyLengthBelowTheOverheadIsMalformed() {
    assertEquals(29, CellFormat.OVERHEAD_BYTES);
    for (int length = 0; length < CellFormat.OVERHEAD_BYTES; length++) {
      byte[] cut = Arrays.copyOf(panCell, length);
      MalformedCellException e = assertThrows(MalformedCellException.class, () -> decryptor.open(PAN, cut),
          "length " + length);
      assertSafe(e, KEY, VALUE, "card_number", "cards");
      assertThrows(MalformedCellException.class, () -> CellFormat.dekIdOf(cut));
      assertThrows(MalformedCellException.class, () -> CellFormat.counterOf(cut));
      assertFalse(CellFormat.looksLikeCell(cut));
    }
    assertThrows(MalformedCellException.class, () -> decryptor.open(PAN, null));
  }

  @Test
  void cutOffCellOfAFixedWidthTypeIsMalformed() {
    for (int length = CellFormat.OVERHEAD_BYTES; length < cvvCell.length; length++) {
      byte[] cut = Arrays.copyOf(cvvCell, length);
      MalformedCellException e = assertThrows(MalformedCellException.class, () -> decryptor.open(CVV, cut));
      assertSafe(e, KEY, null, "cvv", "cards");
    }
    byte[] longer = Arrays.copyOf(cvvCell, cvvCell.length + 1);
    assertThrows(MalformedCellException.class, () -> decryptor.open(CVV, longer));
  }

  /** A string cell has no fixed length: cut short (but still a cell's size) it fails its tag. */
  @Test
  void cutOffOrExtendedStringCellFailsAuthentication() {
    for (int length = CellFormat.OVERHEAD_BYTES; length < panCell.length; length++) {
      byte[] cut = Arrays.copyOf(panCell, length);
      CellAuthenticationException e = assertThrows(CellAuthenticationException.class, () -> decryptor.open(PAN, cut));
      assertSafe(e, KEY, VALUE, "card_number", "cards", ID.hex());
    }
    byte[] longer = Arrays.copyOf(panCell, panCell.length + 1);
    assertThrows(CellAuthenticationException.class, () -> decryptor.open(PAN, longer));
  }

  @Test
  void unknownVersionIsUnsupported() {
    for (int version : new int[] {0x00, 0x02, 0x7f, 0x80, 0xff}) {
      byte[] cell = panCell.clone();
      cell[0] = (byte) version;
      UnsupportedCellVersionException e =
          assertThrows(UnsupportedCellVersionException.class, () -> decryptor.open(PAN, cell));
      assertSafe(e, KEY, VALUE, "card_number", "cards", "version " + version);
      assertThrows(UnsupportedCellVersionException.class, () -> CellFormat.dekIdOf(cell));
      assertFalse(CellFormat.looksLikeCell(cell));
    }
    assertTrue(CellFormat.looksLikeCell(panCell));
  }

  /** FORMAT.md section 2: byte 0 is the version, 1-8 the DEK id, everything after is authenticated. */
  @Test
  void aFlippedBitAtEveryPositionFails() {
    for (byte[] cell : new byte[][] {panCell, cvvCell, balanceCell}) {
      ColumnSpec column = cell == panCell ? PAN : cell == cvvCell ? CVV : BALANCE;
      for (int pos = 0; pos < cell.length; pos++) {
        for (int bit = 0; bit < 8; bit++) {
          byte[] flipped = cell.clone();
          flipped[pos] ^= (byte) (1 << bit);
          Class<? extends CryptoException> expected = pos == 0 ? UnsupportedCellVersionException.class
              : pos <= 8 ? WrongDataKeyException.class : CellAuthenticationException.class;
          CryptoException e = assertThrows(expected, () -> decryptor.open(column, flipped),
              column.column() + " byte " + pos + " bit " + bit);
          assertSafe(e, KEY, VALUE, column.column());
        }
      }
    }
  }

  @Test
  void otherColumnDatasetTypeOrScaleFailsAuthentication() {
    ColumnSpec[] wrongForPan = {
        ColumnSpec.of("cards", "card_number_2", CellType.STRING),
        ColumnSpec.of("cards", "Card_Number", CellType.STRING),
        ColumnSpec.of("cards_v2", "card_number", CellType.STRING),
        ColumnSpec.of("cards", "card_number", CellType.BINARY)};
    for (ColumnSpec wrong : wrongForPan) {
      CellAuthenticationException e =
          assertThrows(CellAuthenticationException.class, () -> decryptor.open(wrong, panCell), wrong.toString());
      assertSafe(e, KEY, VALUE, wrong.column(), wrong.datasetId(), ID.hex());
    }
    // Same plaintext width (4 bytes), so only the type tag in the associated data differs.
    assertThrows(CellAuthenticationException.class, () -> decryptor.open(ColumnSpec.of("cards", "cvv", CellType.DATE), cvvCell));
    assertThrows(CellAuthenticationException.class, () -> decryptor.open(ColumnSpec.of("cards", "cvv", CellType.FLOAT), cvvCell));
    // decimal(12,2) read at another scale or precision of the same 8-byte width.
    assertThrows(CellAuthenticationException.class,
        () -> decryptor.open(ColumnSpec.decimal("cards", "balance", 12, 3), balanceCell));
    assertThrows(CellAuthenticationException.class,
        () -> decryptor.open(ColumnSpec.decimal("cards", "balance", 13, 2), balanceCell));
    // A type of another width is caught by the length before the tag.
    assertThrows(MalformedCellException.class, () -> decryptor.open(ColumnSpec.of("cards", "cvv", CellType.LONG), cvvCell));
  }

  @Test
  void wrongKeyUnderTheSameIdFailsAuthentication() {
    byte[] otherKey = testKey(0x61);
    try (OpeningKey impostor = OpeningKey.of(ID, otherKey); CellDecryptor other = CellDecryptor.open(impostor)) {
      CellAuthenticationException e = assertThrows(CellAuthenticationException.class, () -> other.open(PAN, panCell));
      assertSafe(e, KEY, VALUE, "card_number", "cards", ID.hex());
      assertSafe(e, otherKey, null);
    }
  }

  @Test
  void cellOfAnotherDekIsNamedAsSuch() {
    DekId otherId = DekId.parse("0000000000000042");
    byte[] otherCell;
    try (SealingKey other = SealingKey.of(otherId, KEY); CellEncryptor encryptor = CellEncryptor.open(other)) {
      otherCell = encryptor.column(PAN).seal(VALUE);
    }
    byte[] cell = otherCell;
    WrongDataKeyException e = assertThrows(WrongDataKeyException.class, () -> decryptor.open(PAN, cell));
    assertSafe(e, KEY, VALUE, "card_number", "cards", ID.hex(), otherId.hex());
    assertEquals(otherId, CellFormat.dekIdOf(cell));
  }

  /** A cell's header cannot be rewritten to name another DEK: the DEK id is in the associated data too. */
  @Test
  void relabelledDekIdFailsEvenWithTheRightKey() {
    DekId otherId = DekId.parse("0000000000000042");
    byte[] relabelled = panCell.clone();
    otherId.writeTo(relabelled, CellFormat.DEK_ID_OFFSET);
    try (OpeningKey sameBytes = OpeningKey.of(otherId, KEY); CellDecryptor other = CellDecryptor.open(sameBytes)) {
      assertThrows(CellAuthenticationException.class, () -> other.open(PAN, relabelled));
    }
  }

  @Test
  void counterIsPartOfTheNonce() {
    byte[] moved = panCell.clone();
    CellFormat.writeU32(moved, CellFormat.COUNTER_OFFSET, 7);
    assertThrows(CellAuthenticationException.class, () -> decryptor.open(PAN, moved));
  }
}
