package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.input.InputSpec;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.kms.KeyServiceSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A validated encrypt job spec (built by the CLI from YAML and --set). Plain values only. */
public final class EncryptSettings {
  public final String datasetId;
  public final String inputPath;
  public final String inputFormat;
  public final Map<String, String> inputOptions;
  /** Spark DDL of the input, or null to take the file's own (Parquet) or Spark's reading (CSV). */
  public final String inputSchema;
  public final List<String> columns;
  public final KeyServiceSpec keyService;
  public final String kmsKey;
  public final Map<String, String> extraContext;
  public final String outputPath;
  public final OutputMode mode;
  public final List<String> partitionBy;
  /** Number of Spark partitions to repartition into before sealing (one DEK each), or 0 to keep the input's. */
  public final int partitions;
  public final CellEncoding encoding;
  /** Where the manifest lives; null for {@code <output>/_columnseal}. */
  public final String manifestPath;
  /** CSV rows Spark cannot parse: fail (default) or quarantine. */
  public final MalformedRows malformed;
  /** Parquet data page version of the output: v1 (default, every engine reads it) or v2. */
  public final ParquetPages parquetPages;
  /** output.allowRepeat: append input files an earlier run of the dataset already committed. */
  public final boolean allowRepeat;

  private EncryptSettings(Builder b) {
    this.datasetId = Objects.requireNonNull(b.datasetId, "dataset");
    this.inputPath = Objects.requireNonNull(b.inputPath, "input.path");
    this.inputFormat = b.inputFormat;
    this.inputOptions = Map.copyOf(b.inputOptions);
    this.inputSchema = b.inputSchema;
    this.columns = List.copyOf(b.columns);
    this.keyService = Objects.requireNonNull(b.keyService, "kms");
    this.kmsKey = Objects.requireNonNull(b.kmsKey, "kms.key");
    this.extraContext = Map.copyOf(b.extraContext);
    this.outputPath = Objects.requireNonNull(b.outputPath, "output.path");
    this.mode = b.mode;
    this.partitionBy = List.copyOf(b.partitionBy);
    this.partitions = b.partitions;
    this.encoding = b.encoding;
    this.manifestPath = b.manifestPath;
    this.malformed = Objects.requireNonNull(b.malformed, "input.malformed");
    this.parquetPages = Objects.requireNonNull(b.parquetPages, "output.parquetPages");
    this.allowRepeat = b.allowRepeat;
  }

  /** The input half, for the input reader. */
  public InputSpec input() {
    return new InputSpec(inputPath, inputFormat, inputOptions, inputSchema, malformed);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fields are set by the CLI's validated config; the builder only collects them. */
  public static final class Builder {
    private String datasetId;
    private String inputPath;
    private String inputFormat = "csv";
    private Map<String, String> inputOptions = new TreeMap<>();
    private String inputSchema;
    private List<String> columns = List.of();
    private KeyServiceSpec keyService;
    private String kmsKey;
    private Map<String, String> extraContext = new TreeMap<>();
    private String outputPath;
    private OutputMode mode = OutputMode.ERROR;
    private List<String> partitionBy = List.of();
    private int partitions;
    private CellEncoding encoding = CellEncoding.BINARY;
    private String manifestPath;
    private MalformedRows malformed = MalformedRows.FAIL;
    private ParquetPages parquetPages = ParquetPages.V1;
    private boolean allowRepeat;

    public Builder datasetId(String v) {
      datasetId = v;
      return this;
    }

    public Builder inputPath(String v) {
      inputPath = v;
      return this;
    }

    public Builder inputFormat(String v) {
      inputFormat = v;
      return this;
    }

    public Builder inputOptions(Map<String, String> v) {
      inputOptions = v;
      return this;
    }

    public Builder inputSchema(String v) {
      inputSchema = v;
      return this;
    }

    public Builder columns(List<String> v) {
      columns = v;
      return this;
    }

    public Builder keyService(KeyServiceSpec v) {
      keyService = v;
      return this;
    }

    public Builder kmsKey(String v) {
      kmsKey = v;
      return this;
    }

    public Builder extraContext(Map<String, String> v) {
      extraContext = v;
      return this;
    }

    public Builder outputPath(String v) {
      outputPath = v;
      return this;
    }

    public Builder mode(OutputMode v) {
      mode = v;
      return this;
    }

    public Builder partitionBy(List<String> v) {
      partitionBy = v;
      return this;
    }

    public Builder partitions(int v) {
      partitions = v;
      return this;
    }

    public Builder encoding(CellEncoding v) {
      encoding = v;
      return this;
    }

    public Builder manifestPath(String v) {
      manifestPath = v;
      return this;
    }

    public Builder malformed(MalformedRows v) {
      malformed = v;
      return this;
    }

    public Builder parquetPages(ParquetPages v) {
      parquetPages = v;
      return this;
    }

    public Builder allowRepeat(boolean v) {
      allowRepeat = v;
      return this;
    }

    public EncryptSettings build() {
      return new EncryptSettings(this);
    }
  }
}
