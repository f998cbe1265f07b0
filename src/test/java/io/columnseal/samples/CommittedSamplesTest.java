package io.columnseal.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed samples are what the generator makes now: they cannot drift from the code. */
class CommittedSamplesTest {
  static final Path DIR = Path.of("data-samples");

  @Test
  void committedCsvIsTheDefaultSeedsOutput() throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    CardDataGenerator.writeCsv(CardDataGenerator.DEFAULT_SEED, CardDataGenerator.DEFAULT_ROWS, expected);
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(DIR.resolve("financial.csv")),
        "data-samples/financial.csv is stale: run jobs/make-samples");
  }

  @Test
  void committedDdlIsTheSchema() throws IOException {
    assertEquals(CardSchema.DDL + "\n",
        Files.readString(DIR.resolve("financial.schema.ddl"), StandardCharsets.UTF_8));
  }
}
