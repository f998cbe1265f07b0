package io.columnseal.jobs.input;

import java.util.Map;
import java.util.Objects;

/** Where and how to read the encrypt input: the input half of the encrypt settings, plain values only. */
public final class InputSpec {
  public final String inputPath;
  /** csv or parquet. */
  public final String inputFormat;
  public final Map<String, String> inputOptions;
  /** Spark DDL of the input, or null to take the file's own (Parquet) or Spark's reading (CSV). */
  public final String inputSchema;
  public final MalformedRows malformed;

  public InputSpec(String inputPath, String inputFormat, Map<String, String> inputOptions, String inputSchema,
      MalformedRows malformed) {
    this.inputPath = Objects.requireNonNull(inputPath, "input.path");
    this.inputFormat = inputFormat;
    this.inputOptions = Map.copyOf(inputOptions);
    this.inputSchema = inputSchema;
    this.malformed = Objects.requireNonNull(malformed, "input.malformed");
  }
}
