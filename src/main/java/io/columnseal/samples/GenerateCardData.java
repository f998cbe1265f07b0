package io.columnseal.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line: writes the synthetic card data set as CSV, streaming, in bounded memory. */
@Command(
    name = "generate-card-data",
    mixinStandardHelpOptions = true,
    description = "Writes synthetic card-issuer rows as RFC 4180 CSV (UTF-8, header line).")
public final class GenerateCardData implements Callable<Integer> {
  @Option(names = "--rows", paramLabel = "N", description = "Rows to write (default: ${DEFAULT-VALUE}).")
  long rows = CardDataGenerator.DEFAULT_ROWS;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed = CardDataGenerator.DEFAULT_SEED;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "CSV file to write.")
  Path out;

  @Option(names = "--schema-out", paramLabel = "FILE", description = "Also write the Spark DDL here.")
  Path schemaOut;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code: 0 done, 2 bad arguments, 1 failure. */
  public static int run(String... args) {
    return new CommandLine(new GenerateCardData()).execute(args);
  }

  @Override
  public Integer call() throws IOException {
    if (rows < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--rows must be 0 or more, got " + rows);
    }
    CardDataGenerator.writeCsv(seed, rows, out);
    // Say what was written: a silent exit 0 leaves the user to guess where the file went.
    System.out.printf(java.util.Locale.ROOT, "wrote %,d rows (seed %d) to %s%n", rows, seed, out);
    if (schemaOut != null) {
      Files.writeString(schemaOut, CardSchema.DDL + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote the Spark DDL schema to " + schemaOut);
    }
    return 0;
  }
}
