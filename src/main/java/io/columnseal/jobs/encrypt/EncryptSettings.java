package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.KeyGroups;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.input.InputSpec;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.kms.KeyServiceSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/** A validated encrypt job spec (from the CLI's YAML and --set, or the Java API). Plain values only. */
public final class EncryptSettings {
  /** The dataset id rule: it goes into every KMS encryption context and CloudTrail entry. */
  public static final String DATASET_ID_RULE = "the dataset id: letters, digits, '.', '_' or '-', at most 128 characters";
  private static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public final String datasetId;
  public final String inputPath;
  public final String inputFormat;
  public final Map<String, String> inputOptions;
  /** Spark DDL of the input, or null to take the file's own (Parquet) or Spark's reading (CSV). */
  public final String inputSchema;
  /** The columns sealed into cells under a DEK (every protection but mask and drop), in config order. */
  public final List<String> columns;
  /** Every entry of encrypt.columns, in config order (docs/jobs/encrypt.md "column policies"). */
  public final List<ColumnPolicy> policies;
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
  /** manifest.macKey: the HMAC key that authenticates the head before appending, and MACs the new commit; or null. */
  public final String manifestMacKey;
  /**
   * kms.allowedKeys: the master keys a pending record of a stopped run may name before this run
   * recovers it into the dataset; null = the default (the dataset's first keys' account and Region).
   */
  public final io.columnseal.kms.TrustedKeys allowedKeys;
  /** encrypt.domainStore: the domain store of named token domains, or null (FORMAT.md section 11). */
  public final String domainStore;
  /** encrypt.mode: cells (default) or Parquet modular encryption of pages (docs/FORMAT.md section 12). */
  public final EncryptMode encryptMode;
  /** encrypt.pageAlgorithm: the PME algorithm of page mode. */
  public final PageAlgorithm pageAlgorithm;

  private EncryptSettings(Builder b) {
    this.datasetId = Objects.requireNonNull(b.datasetId, "dataset");
    this.inputPath = Objects.requireNonNull(b.inputPath, "input.path");
    this.inputFormat = b.inputFormat;
    this.inputOptions = Map.copyOf(b.inputOptions);
    this.inputSchema = b.inputSchema;
    this.policies = List.copyOf(b.policies);
    this.columns = policies.stream().filter(ColumnPolicy::sealed).map(p -> p.name).collect(Collectors.toUnmodifiableList());
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
    this.manifestMacKey = KeyTrust.macKey(b.manifestMacKey);
    this.allowedKeys = KeyTrust.parse(b.allowedKeys);
    this.domainStore = b.domainStore;
    this.encryptMode = b.encryptMode;
    this.pageAlgorithm = b.pageAlgorithm;
  }

  /** Whether this run writes page mode (docs/FORMAT.md section 12). */
  public boolean pageMode() {
    return encryptMode == EncryptMode.PAGE;
  }

  /**
   * Whether every entry is a plain name (randomized under kms.key): such a run writes the
   * commit format version it always wrote, byte for byte.
   */
  public boolean plainPolicies() {
    return policies.stream().allMatch(ColumnPolicy::isPlain);
  }

  /** The entry of {@code column}, or null if encrypt.columns does not name it. */
  public ColumnPolicy policy(String column) {
    return policies.stream().filter(p -> p.name.equals(column)).findFirst().orElse(null);
  }

  /** The key group of a sealed column: its configured key reference, or kms.key. */
  public String keyGroup(ColumnPolicy p) {
    return p.key == null ? PLAIN_GROUP : p.key;
  }

  /**
   * The key group of the columns without their own {@code key}: the label {@code kms.key}, not the
   * key it names, so a run after a rotation (a new kms.key) still appends to the same group.
   */
  public static final String PLAIN_GROUP = KeyGroups.PLAIN_GROUP;

  /** The master key reference a key group's DEKs are made under. */
  public String keyRef(String group) {
    return PLAIN_GROUP.equals(group) ? kmsKey : group;
  }

  /** The input half, for the input reader. */
  public InputSpec input() {
    return new InputSpec(inputPath, inputFormat, inputOptions, inputSchema, malformed);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects a spec; {@link #build()} checks it. */
  public static final class Builder {
    private String datasetId;
    private String inputPath;
    private String inputFormat = "csv";
    private Map<String, String> inputOptions = new TreeMap<>();
    private String inputSchema;
    private List<ColumnPolicy> policies = List.of();
    private String domainStore;
    private KeyServiceSpec keyService;
    private String kmsKey;
    private Map<String, String> extraContext = new TreeMap<>();
    private String outputPath;
    private OutputMode mode = OutputMode.ERROR;
    private List<String> partitionBy = List.of();
    private int partitions;
    private CellEncoding encoding = CellEncoding.BINARY;
    private boolean encodingSet;
    private EncryptMode encryptMode = EncryptMode.CELL;
    private PageAlgorithm pageAlgorithm;
    private String manifestPath;
    private MalformedRows malformed = MalformedRows.FAIL;
    private ParquetPages parquetPages = ParquetPages.V1;
    private boolean allowRepeat;
    private String manifestMacKey;
    private List<String> allowedKeys;

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

    /** The columns to encrypt: the one key every spec needs, so it is checked as it is set. */
    public Builder columns(List<String> v) {
      if (v.isEmpty()) {
        throw noColumns();
      }
      policies = v.stream().map(ColumnPolicy::randomized).collect(Collectors.toList());
      return this;
    }

    /** Entries of encrypt.columns with their protection and key; {@link #build()} checks them together. */
    public Builder policies(List<ColumnPolicy> v) {
      if (v.isEmpty()) {
        throw noColumns();
      }
      policies = v;
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

    /** encrypt.domainStore: where the records of named token domains live. */
    public Builder domainStore(String v) {
      domainStore = v == null || v.isEmpty() ? null : v;
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

    /** encrypt.cellEncoding; null leaves the default (binary). */
    public Builder encoding(CellEncoding v) {
      encodingSet = v != null;
      encoding = v == null ? CellEncoding.BINARY : v;
      return this;
    }

    /** encrypt.mode; null leaves the default (cell). */
    public Builder encryptMode(EncryptMode v) {
      encryptMode = v == null ? EncryptMode.CELL : v;
      return this;
    }

    /** encrypt.pageAlgorithm (page mode only); null leaves the default (AES_GCM_V1). */
    public Builder pageAlgorithm(PageAlgorithm v) {
      pageAlgorithm = v;
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

    /** kms.allowedKeys entries (key ARNs, alias ARNs, account/Region patterns); null for the default. */
    public Builder allowedKeys(List<String> v) {
      allowedKeys = v;
      return this;
    }

    /** manifest.macKey (key id, alias or ARN of a KMS HMAC key); null for none. */
    public Builder manifestMacKey(String v) {
      manifestMacKey = v;
      return this;
    }

    /**
     * Checks every value (the CLI maps config keys here and adds no checks of its own) and
     * names the config key at fault: the Java API gets the same refusals as the CLI.
     *
     * @throws ConfigException naming the key and what it allows
     */
    /**
     * Spark's reader options ignore case and keep one of two spellings at random (the last its
     * map iterates), so {@code Header: false} beside our default {@code header: true} could
     * lose a row per file: two spellings of one option are refused.
     */
    private static void refuseOptionsEqualIgnoringCase(Map<String, String> options) {
      Map<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String k : options.keySet()) {
        String other = seen.put(k, k);
        if (other != null) {
          throw new ConfigException("input.options." + other + " and input.options." + k
              + " are the same Spark reader option (option names ignore case): give it once");
        }
      }
    }

    public EncryptSettings build() {
      requireKey("dataset", datasetId);
      if (!DATASET_ID.matcher(datasetId).matches()) {
        throw ConfigException.badValue("dataset", datasetId, DATASET_ID_RULE);
      }
      requireKey("input.path", inputPath);
      requireKey("kms.provider", keyService);
      requireKey("kms.key", kmsKey);
      requireKey("output.path", outputPath);
      if (policies.isEmpty()) {
        throw noColumns();
      }
      ColumnPolicy.checkAll(policies, partitionBy);
      for (ColumnPolicy p : policies) {
        // Datasets meet in a named domain only through one store (FORMAT.md section 11): refused before reading input.
        io.columnseal.jobs.domain.DomainKeys.storeDir(domainStore, new org.apache.hadoop.fs.Path("/"), p.name,
            p.options.containsKey("domain"));
      }
      refuseOptionsEqualIgnoringCase(inputOptions);
      String format = inputFormat == null ? "csv" : inputFormat.toLowerCase(Locale.ROOT);
      if (!format.equals("csv") && !format.equals("parquet")) {
        throw ConfigException.badValue("input.format", inputFormat, "csv or parquet");
      }
      inputFormat = format;
      if (inputSchema != null) {
        try {
          StructType.fromDDL(inputSchema);
        } catch (Exception e) { // Spark's ParseException is checked, and undeclared
          throw ConfigException.badValue("input.schema", "'" + inputSchema + "'", "a Spark DDL schema such as "
              + "'id INT, name STRING' (" + String.valueOf(e.getMessage()).split("\n")[0] + ")");
        }
      }
      if (malformed == MalformedRows.QUARANTINE) {
        checkQuarantine(format);
        // A quarantined row is sealed whole, as its raw text, under the kms.key group's DEK: it would
        // keep a dropped column (PCI DSS 3.3.1.2) and let kms.key open every other group's values.
        policies.stream().filter(p -> !p.isPlain()).findFirst().ifPresent(p -> {
          throw new ConfigException("Cannot set input.malformed to quarantine with a column policy (column " + p.name
              + " is " + p.protection.configName() + (p.key != null ? " under " + p.key : "") + "): a quarantined row is"
              + " kept whole under kms.key, dropped and other key groups' columns included; set input.malformed=fail");
        });
      }
      if (partitions < 0) {
        throw ConfigException.badValue("output.partitions", partitions,
            "a whole number of Spark partitions (one DEK each), at least 1");
      }
      checkPageMode();
      for (String k : extraContext.keySet()) {
        if (k.startsWith("columnseal:")) {
          throw new ConfigException("Cannot set encrypt.context." + k + ": the columnseal: prefix is reserved for the "
              + "dataset and DEK ids that columnseal adds itself");
        }
      }
      return new EncryptSettings(this);
    }

    /**
     * Page mode encrypts whole column chunks under a partition's DEK: only randomized columns
     * (with mask and drop, which need no key); no cell encoding; no quarantine (its files are cell
     * sealed). Refused here, before any KMS call or Spark job.
     */
    private void checkPageMode() {
      if (encryptMode != EncryptMode.PAGE) {
        if (pageAlgorithm != null) {
          throw new ConfigException("Cannot set encrypt.pageAlgorithm with encrypt.mode=cell: it applies to "
              + "encrypt.mode=page");
        }
        return;
      }
      if (pageAlgorithm == null) {
        pageAlgorithm = PageAlgorithm.AES_GCM_V1;
      }
      for (ColumnPolicy p : policies) {
        if (p.protection.needsDomainKey()) {
          throw new ConfigException("Cannot encrypt column " + p.name + " as " + p.protection.configName()
              + " with encrypt.mode=page: page mode encrypts whole pages under a partition's DEK (randomized);"
              + " use protection randomized, mask or drop, or encrypt.mode=cell");
        }
      }
      if (encodingSet) {
        throw new ConfigException("Cannot set encrypt.cellEncoding with encrypt.mode=page: page mode writes no cells"
            + " (encrypted columns keep their own Parquet type); leave encrypt.cellEncoding out");
      }
      if (malformed == MalformedRows.QUARANTINE) {
        throw new ConfigException("Cannot set input.malformed to quarantine with encrypt.mode=page: quarantine files"
            + " are cell sealed; set input.malformed=fail or encrypt.mode=cell");
      }
    }

    /** Quarantine is for CSV rows Spark cannot parse; Spark must not drop them first. */
    private void checkQuarantine(String format) {
      if (!format.equals("csv")) {
        throw new ConfigException("Cannot set input.malformed to quarantine with input.format=" + format
            + ": only CSV rows can be malformed; set input.malformed=fail or leave it out");
      }
      Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      options.putAll(inputOptions);
      String mode = options.getOrDefault("mode", "");
      if (!mode.isEmpty() && !mode.equalsIgnoreCase("PERMISSIVE")) {
        throw new ConfigException("Cannot set input.malformed to quarantine with input.options.mode=" + mode + ": "
            + (mode.equalsIgnoreCase("DROPMALFORMED") ? "Spark's DROPMALFORMED would drop the rows before columnseal"
                + " sees them" : "columnseal reads PERMISSIVE and quarantines the rows itself")
            + "; leave input.options.mode out");
      }
    }

    private static ConfigException noColumns() {
      return new ConfigException("Missing configuration key encrypt.columns: set it to a list of input columns"
          + " (in --config, or --set encrypt.columns=a,b)");
    }

    private static void requireKey(String key, Object value) {
      if (value == null) {
        throw new ConfigException("Missing configuration key " + key);
      }
    }
  }
}
