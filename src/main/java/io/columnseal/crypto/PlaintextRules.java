package io.columnseal.crypto;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** What a decrypted plaintext must be before any reader turns it into a value: one place for it. */
public final class PlaintextRules {
  /** 10^0 .. 10^38: a decimal(p, s) holds unscaled values of absolute value below 10^p. */
  private static final BigInteger[] POWERS_OF_TEN = new BigInteger[CellType.MAX_DECIMAL_PRECISION + 1];

  static {
    for (int i = 0; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = BigInteger.TEN.pow(i);
    }
  }

  private PlaintextRules() {}

  /**
   * The refusals of docs/FORMAT.md section 4 for a decrypted plaintext, for every reader
   * ({@link ValueCodec#decode} and the Spark layer's internal-row cells): the width of a fixed-width type, a boolean
   * of 0 or 1, a decimal within its precision, and strict UTF-8 (never replaced by U+FFFD).
   *
   * @throws MalformedCellException naming the column, never the value
   */
  public static void check(ColumnSpec column, byte[] p) {
    CellType type = column.type();
    int width = column.plaintextWidth();
    if (width >= 0 && p.length != width) {
      throw new MalformedCellException("column " + column.column() + ": a " + type.lowerName() + " plaintext is "
          + width + " bytes, got " + p.length);
    }
    switch (type) {
      case STRING:
        checkUtf8(column, p);
        break;
      case BOOLEAN:
        if (p[0] != 0 && p[0] != 1) {
          throw new MalformedCellException("column " + column.column() + ": a boolean plaintext must be 0 or 1");
        }
        break;
      case DECIMAL:
        // The width holds more than the precision allows (4 bytes reach 2^31 > 10^9 - 1).
        if (ValueCodec.getUnscaled(p, 0, width).abs().compareTo(POWERS_OF_TEN[column.precision()]) >= 0) {
          throw new MalformedCellException("column " + column.column() + ": a decimal plaintext exceeds decimal("
              + column.precision() + "," + column.scale() + ")");
        }
        break;
      default:
        break;
    }
  }

  private static void checkUtf8(ColumnSpec column, byte[] p) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(p));
    } catch (CharacterCodingException e) {
      throw new MalformedCellException("column " + column.column() + ": a string plaintext is not valid UTF-8");
    }
  }
}
