package io.columnseal.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCardDataTest {
  @TempDir Path dir;

  @Test
  void writesTheRequestedRowsAndSchema() throws IOException {
    Path csv = dir.resolve("cards.csv");
    Path ddl = dir.resolve("cards.ddl");
    int code = GenerateCardData.run("--rows", "25", "--seed", "7", "--out", csv.toString(),
        "--schema-out", ddl.toString());
    assertEquals(0, code);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    CardDataGenerator.writeCsv(7, 25, expected);
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(csv));
    assertEquals(CardSchema.DDL + "\n", Files.readString(ddl));
  }

  @Test
  void defaultsToTheCommittedSample() throws IOException {
    Path csv = dir.resolve("default.csv");
    assertEquals(0, GenerateCardData.run("--out", csv.toString()));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, CardDataGenerator.DEFAULT_ROWS, expected);
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(csv));
  }

  @Test
  void badArgumentsExitWithTwoAndWriteNothing() {
    Path csv = dir.resolve("never.csv");
    assertEquals(2, GenerateCardData.run("--rows", "-1", "--out", csv.toString()));
    assertEquals(2, GenerateCardData.run("--rows", "ten", "--out", csv.toString()));
    assertEquals(2, GenerateCardData.run("--rows", "10"));
    assertEquals(2, GenerateCardData.run("--out", csv.toString(), "--colour", "red"));
    assertFalse(Files.exists(csv));
  }
}
