package io.columnseal.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.MalformedCellException;
import io.columnseal.crypto.ValueCodec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * docs/FORMAT.md section 4 has one set of refusals (PlaintextRules): the Spark layer's internal-row
 * decoder and ValueCodec accept and refuse the same plaintexts, with the same message (issue 11).
 */
class CellCodecAgreementTest {
  private static final ColumnSpec STRING = ColumnSpec.of("ds", "name", CellType.STRING);
  private static final ColumnSpec BOOL = ColumnSpec.of("ds", "flag", CellType.BOOLEAN);
  private static final ColumnSpec INT = ColumnSpec.of("ds", "n", CellType.INT);
  private static final ColumnSpec DEC_9_2 = ColumnSpec.decimal("ds", "amount", 9, 2);
  private static final ColumnSpec DEC_20_0 = ColumnSpec.decimal("ds", "big", 20, 0);

  private record Case(ColumnSpec spec, byte[] plaintext, String refusal) {}

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case(STRING, "Zoë".getBytes(java.nio.charset.StandardCharsets.UTF_8), null));
    c.add(new Case(BOOL, new byte[] {1}, null));
    c.add(new Case(BOOL, new byte[] {2}, "column flag: a boolean plaintext must be 0 or 1"));
    c.add(new Case(INT, new byte[] {0, 0, 0, 7}, null));
    c.add(new Case(INT, new byte[] {0, 0, 7}, "column n: a int plaintext is 4 bytes, got 3"));
    // 999999999 fits decimal(9,2); 10^9 fits the 4-byte width but not the precision.
    c.add(new Case(DEC_9_2, ValueCodec.encode(DEC_9_2, new BigDecimal("9999999.99")), null));
    c.add(new Case(DEC_9_2, new byte[] {0x3B, (byte) 0x9A, (byte) 0xCA, 0x00},
        "column amount: a decimal plaintext exceeds decimal(9,2)"));
    byte[] tooBig = new byte[16];
    ValueCodec.putUnscaled(tooBig, 0, 16, java.math.BigInteger.TEN.pow(20));
    c.add(new Case(DEC_20_0, tooBig, "column big: a decimal plaintext exceeds decimal(20,0)"));
    c.add(new Case(DEC_20_0, ValueCodec.encode(DEC_20_0, new BigDecimal("-99999999999999999999")), null));
    return c;
  }

  @Test
  void bothDecodersAcceptAndRefuseTheSamePlaintexts() {
    for (Case k : cases()) {
      if (k.refusal() == null) {
        Object external = ValueCodec.decode(k.spec(), k.plaintext());
        Object internal = InternalCells.decode(k.spec(), k.plaintext());
        assertEquals(external, toExternal(internal), k.spec().column());
      } else {
        assertEquals(k.refusal(), assertThrows(MalformedCellException.class,
            () -> ValueCodec.decode(k.spec(), k.plaintext())).getMessage());
        assertEquals(k.refusal(), assertThrows(MalformedCellException.class,
            () -> InternalCells.decode(k.spec(), k.plaintext())).getMessage());
      }
    }
  }

  /**
   * The one difference, on purpose: a Spark string is bytes, so the Spark reader gives back the
   * bytes encrypt sealed (HostileInputTest), while ValueCodec, which makes a Java String, refuses
   * bytes that are not UTF-8 rather than replace them.
   */
  @Test
  void stringBytesThatAreNotUtf8ComeBackAsTheyAreInSparkAndAreRefusedAsText() {
    for (byte[] p : List.of(new byte[] {(byte) 0xC3, (byte) 0x28}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
      assertEquals("column name: a string plaintext is not valid UTF-8",
          assertThrows(MalformedCellException.class, () -> ValueCodec.decode(STRING, p)).getMessage());
      assertArrayEquals(p, ((UTF8String) InternalCells.decode(STRING, p)).getBytes());
    }
  }

  private static Object toExternal(Object internal) {
    if (internal instanceof UTF8String) {
      return internal.toString();
    }
    if (internal instanceof Decimal) {
      return ((Decimal) internal).toJavaBigDecimal();
    }
    return internal;
  }
}
