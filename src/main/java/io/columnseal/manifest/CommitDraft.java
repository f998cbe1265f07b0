package io.columnseal.manifest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a run wants to commit; {@link ManifestStore#commit} gives it its number, time and digest
 * chain and checks it against the state it follows. The builder checks each field; the rules
 * that involve the state (or several fields) are checked at commit time and raise
 * {@link InvalidCommitException}.
 */
public final class CommitDraft {
  private final CommitKind kind;
  private final String datasetId;
  private final String runId;
  private final Map<String, String> operation;
  private final List<ColumnRecord> schema;
  private final List<DekRecord> addedDeks;
  private final List<RewrappedDek> rewrappedDeks;
  private final List<String> files;
  private final List<String> removedFiles;
  private final String cellEncoding;
  private final List<String> inputs;
  private final List<FileRecord> boundFiles;
  private final Map<String, Long> stats;

  private CommitDraft(Builder b) {
    this.kind = Checks.present(b.kind, "commit kind");
    this.datasetId = Checks.text(b.datasetId, "dataset id");
    this.runId = Checks.text(b.runId, "run id");
    this.operation = Checks.sortedMap(b.operation, "operation parameter");
    this.schema = b.schema == null ? null : Checks.list(b.schema, "schema column");
    this.addedDeks = List.copyOf(b.addedDeks);
    this.rewrappedDeks = List.copyOf(b.rewrappedDeks);
    b.files.forEach(Checks::relativePath);
    b.removedFiles.forEach(Checks::relativePath);
    this.files = List.copyOf(b.files);
    this.removedFiles = List.copyOf(b.removedFiles);
    if (b.cellEncoding != null && !Commit.CELL_ENCODINGS.contains(b.cellEncoding)) {
      throw new IllegalArgumentException("cell encoding must be one of " + Commit.CELL_ENCODINGS + ", got " + b.cellEncoding);
    }
    this.cellEncoding = b.cellEncoding;
    this.inputs = List.copyOf(new TreeSet<>(b.inputs));
    this.boundFiles = List.copyOf(b.boundFiles);
    this.stats = Checks.sortedMap(b.stats, "stat");
    stats.forEach((k, v) -> Checks.nonNegative(v, "stat " + k));
  }

  /**
   * A commit's draft part exactly as {@link Commit} checked and sorted it: no copy, no dedupe of
   * {@code inputs}, so a commit read back holds what its file holds.
   */
  CommitDraft(CommitKind kind, String datasetId, String runId, Map<String, String> operation,
      List<ColumnRecord> schema, List<DekRecord> addedDeks, List<RewrappedDek> rewrappedDeks, List<String> files,
      List<String> removedFiles, String cellEncoding, List<String> inputs, List<FileRecord> boundFiles,
      Map<String, Long> stats) {
    this.kind = kind;
    this.datasetId = datasetId;
    this.runId = runId;
    this.operation = operation;
    this.schema = schema;
    this.addedDeks = addedDeks;
    this.rewrappedDeks = rewrappedDeks;
    this.files = files;
    this.removedFiles = removedFiles;
    this.cellEncoding = cellEncoding;
    this.inputs = inputs;
    this.boundFiles = boundFiles;
    this.stats = stats;
  }

  public static Builder builder(CommitKind kind, String datasetId, String runId) {
    return new Builder(kind, datasetId, runId);
  }

  public CommitKind kind() {
    return kind;
  }

  public String datasetId() {
    return datasetId;
  }

  public String runId() {
    return runId;
  }

  public Map<String, String> operation() {
    return operation;
  }

  /** Null when the draft does not state a schema. */
  public List<ColumnRecord> schema() {
    return schema;
  }

  public List<DekRecord> addedDeks() {
    return addedDeks;
  }

  public List<RewrappedDek> rewrappedDeks() {
    return rewrappedDeks;
  }

  public List<String> files() {
    return files;
  }

  public List<String> removedFiles() {
    return removedFiles;
  }

  /** Null when the draft does not record the cell encoding. */
  public String cellEncoding() {
    return cellEncoding;
  }

  /** Input file fingerprints, sorted and without repeats. */
  public List<String> inputs() {
    return inputs;
  }

  /** Each added file with its size and DEKs (docs/FORMAT.md 5.2); empty when the draft does not bind files. */
  public List<FileRecord> boundFiles() {
    return boundFiles;
  }

  public Map<String, Long> stats() {
    return stats;
  }

  @Override
  public String toString() {
    return "CommitDraft[" + kind + " of dataset " + datasetId + " by run " + runId + ", " + addedDeks.size()
        + " DEKs added, " + rewrappedDeks.size() + " rewrapped, " + files.size() + " files added, "
        + removedFiles.size() + " removed]";
  }

  /** Collects a draft; {@link #build()} checks every field. */
  public static final class Builder {
    private final CommitKind kind;
    private final String datasetId;
    private final String runId;
    private final Map<String, String> operation = new LinkedHashMap<>();
    private List<ColumnRecord> schema;
    private final List<DekRecord> addedDeks = new ArrayList<>();
    private final List<RewrappedDek> rewrappedDeks = new ArrayList<>();
    private final List<String> files = new ArrayList<>();
    private final List<String> removedFiles = new ArrayList<>();
    private String cellEncoding;
    private final List<String> inputs = new ArrayList<>();
    private final List<FileRecord> boundFiles = new ArrayList<>();
    private final Map<String, Long> stats = new LinkedHashMap<>();

    private Builder(CommitKind kind, String datasetId, String runId) {
      this.kind = kind;
      this.datasetId = datasetId;
      this.runId = runId;
    }

    /**
     * A parameter of the operation for the audit trail (mode, input, key alias, ...). Never a
     * secret: the manifest is readable by everyone who can list the dataset.
     */
    public Builder operation(String key, String value) {
      operation.put(key, value);
      return this;
    }

    public Builder operation(Map<String, String> parameters) {
      operation.putAll(parameters);
      return this;
    }

    /** Required in commit 1; in an append it must equal the current schema; an overwrite may change it. */
    public Builder schema(List<ColumnRecord> columns) {
      this.schema = columns;
      return this;
    }

    public Builder addDek(DekRecord dek) {
      addedDeks.add(Checks.present(dek, "DEK record"));
      return this;
    }

    public Builder addDeks(Collection<DekRecord> deks) {
      deks.forEach(this::addDek);
      return this;
    }

    public Builder rewrap(RewrappedDek rewrapped) {
      rewrappedDeks.add(Checks.present(rewrapped, "rewrapped DEK"));
      return this;
    }

    public Builder rewrap(Collection<RewrappedDek> rewrapped) {
      rewrapped.forEach(this::rewrap);
      return this;
    }

    /** A data file this commit adds, relative to the dataset root ("part-00000-....parquet"). */
    public Builder addFile(String relativePath) {
      files.add(relativePath);
      return this;
    }

    public Builder addFiles(Collection<String> relativePaths) {
      files.addAll(relativePaths);
      return this;
    }

    /** A live data file this commit removes (OVERWRITE only). */
    public Builder removeFile(String relativePath) {
      removedFiles.add(relativePath);
      return this;
    }

    public Builder removeFiles(Collection<String> relativePaths) {
      removedFiles.addAll(relativePaths);
      return this;
    }

    /** How the commit's files store cells ({@code binary} or {@code base64}); ENCRYPT and OVERWRITE only. */
    public Builder cellEncoding(String encoding) {
      this.cellEncoding = encoding;
      return this;
    }

    /** Fingerprints of the input files the commit's rows came from (docs/FORMAT.md 5.2). */
    public Builder inputs(Collection<String> fingerprints) {
      inputs.addAll(fingerprints);
      return this;
    }

    /**
     * Binds an added file to its size and the DEKs its cells may name; a draft that binds
     * one file must bind every file it adds (replay rule 8, docs/FORMAT.md 5.5).
     */
    public Builder bindFile(FileRecord file) {
      boundFiles.add(Checks.present(file, "bound file"));
      return this;
    }

    public Builder bindFiles(Collection<FileRecord> files) {
      files.forEach(this::bindFile);
      return this;
    }

    /** A count for the audit trail: "rows", "cells.card_number", ... */
    public Builder stat(String name, long value) {
      stats.put(name, value);
      return this;
    }

    public Builder stats(Map<String, Long> values) {
      stats.putAll(values);
      return this;
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong */
    public CommitDraft build() {
      return new CommitDraft(this);
    }
  }
}
