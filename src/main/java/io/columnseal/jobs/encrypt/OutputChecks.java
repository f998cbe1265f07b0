package io.columnseal.jobs.encrypt;

import io.columnseal.ConfigException;
import io.columnseal.jobs.dataset.DatasetCellEncoding;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.RecoveredRun;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.ManifestState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What an encrypt run may do to its output, checked on the driver before any KMS call and again
 * when a racing run committed first: dataset id, output mode, append shape, cell encoding and
 * the repeat guard.
 */
final class OutputChecks {
  private final EncryptSettings s;
  private final Configuration conf;
  private final Path manifestDir;

  OutputChecks(EncryptSettings s, Configuration conf, Path manifestDir) {
    this.s = s;
    this.conf = conf;
    this.manifestDir = manifestDir;
  }

  /** The columns of {@code data} as the manifest records them. */
  static List<ColumnRecord> schemaRecords(StructType data, List<String> encrypted) {
    List<ColumnRecord> cols = new ArrayList<>();
    for (StructField f : data.fields()) {
      cols.add(ColumnRecord.of(f.name(), f.dataType().catalogString(), f.nullable(), encrypted.contains(f.name())));
    }
    return cols;
  }

  /**
   * The columns of {@code data} as the manifest records them for {@code s}: with each column's
   * policy (format version 5) unless every entry of encrypt.columns is a plain name.
   */
  static List<ColumnRecord> schemaRecords(StructType data, EncryptSettings s) {
    return schemaRecords(data, s, Map.of());
  }

  /** As above, with {@code recorded} options (domain, domainKeyId) in place of the configured ones for those columns. */
  static List<ColumnRecord> schemaRecords(StructType data, EncryptSettings s, Map<String, Map<String, String>> recorded) {
    // Page mode's commits are format 6, which has version 5's policy members.
    if (s.plainPolicies() && !s.pageMode()) {
      return schemaRecords(data, s.columns);
    }
    List<ColumnRecord> cols = new ArrayList<>();
    for (StructField f : data.fields()) {
      ColumnPolicy p = s.policy(f.name());
      String type = f.dataType().catalogString();
      if (p == null) {
        cols.add(ColumnRecord.withPolicy(f.name(), type, f.nullable(), false, ColumnRecord.NONE, null, Map.of()));
      } else {
        cols.add(ColumnRecord.withPolicy(f.name(), type, f.nullable(), p.sealed(), p.protection.configName(),
            p.sealed() ? s.keyGroup(p) : null, recorded.getOrDefault(p.name, p.options)));
      }
    }
    return cols;
  }

  void checkOutput(Optional<ManifestState> state, StructType data, Map<String, String> inputFiles) {
    Path out = new Path(s.outputPath);
    if (state.isPresent()) {
      ManifestState m = state.get();
      if (!m.datasetId().equals(s.datasetId)) {
        throw new ConfigException("Cannot set dataset to " + s.datasetId + ": output.path " + s.outputPath
            + " already holds columnseal dataset " + m.datasetId() + "; use that id or another output.path");
      }
      if (s.mode == OutputMode.ERROR) {
        throw new ConfigException("output.path " + s.outputPath + " already holds dataset " + m.datasetId()
            + " (output.mode=error): set output.mode=append to add to it, or overwrite to replace its data");
      }
      if (s.mode == OutputMode.APPEND) {
        checkAppend(m, data, inputFiles);
      }
    } else if (DatasetFiles.existsNonEmpty(conf, out)) {
      if (s.mode == OutputMode.ERROR) {
        throw new ConfigException("output.path " + s.outputPath + " already exists (output.mode=error); "
            + "choose a new path, or remove it");
      }
      if (!DatasetFiles.dataFiles(conf, out).isEmpty()) {
        throw new ConfigException("output.path " + s.outputPath + " holds files but no columnseal manifest at "
            + manifestDir + "; refusing to " + s.mode.name().toLowerCase() + " into data columnseal did not write");
      }
    }
  }

  /** An append adds to {@code m}: same shape, same cell encoding, input files not committed before. */
  void checkAppend(ManifestState m, StructType data, Map<String, String> inputFiles) {
    EncryptPlanning.checkSameShape(m, schemaRecords(data, s), s.outputPath);
    checkEncodingOfAppend(Optional.of(m));
    checkNotRepeated(m, inputFiles);
  }

  /** One dataset, one cell encoding: an append in another encoding is refused before any work. */
  void checkEncodingOfAppend(Optional<ManifestState> state) {
    if (s.mode == OutputMode.APPEND && state.isPresent() && state.get().datasetId().equals(s.datasetId)) {
      DatasetCellEncoding.checkAppend(state.get(), encodingName(s), conf, s.outputPath);
    }
  }

  /** What the manifest records as the run's cell encoding: binary, base64, or page (FORMAT.md 5.2). */
  static String encodingName(EncryptSettings s) {
    return s.pageMode() ? DatasetCellEncoding.PAGE : DatasetCellEncoding.name(s.encoding);
  }

  /**
   * The repeat guard: an append whose input files (by path, size, modification time, ETag) are
   * in a commit whose data may still be live is refused, unless output.allowRepeat is set.
   */
  private void checkNotRepeated(ManifestState m, Map<String, String> inputFiles) {
    if (s.allowRepeat || inputFiles.isEmpty()) {
      return;
    }
    Map<String, String> committed = m.liveInputs();
    List<String> repeated = new ArrayList<>();
    String byRun = null;
    for (Map.Entry<String, String> f : inputFiles.entrySet()) {
      String run = committed.get(f.getKey());
      if (run != null) {
        repeated.add(f.getValue());
        byRun = byRun == null ? run : byRun;
      }
    }
    if (!repeated.isEmpty()) {
      throw new ConfigException("input.path " + s.inputPath + ": " + repeated.size() + " of its " + inputFiles.size()
          + " files were already committed to dataset " + m.datasetId() + " by run " + byRun + " (first: "
          + repeated.get(0) + ", same path, size and modification time); appending them again would duplicate "
          + "their rows: set output.allowRepeat=true if that is intended");
    }
  }

  /**
   * A run that recovery left alone (its driver may still be writing) commits its input files
   * later; this run taking the same files now would put their rows in the dataset twice.
   */
  void checkNotInFlight(List<RecoveredRun> recovered, Map<String, String> inputFiles) {
    if (s.allowRepeat || inputFiles.isEmpty()) {
      return;
    }
    for (RecoveredRun r : recovered) {
      if (!RecoveredRun.LEFT_ALONE.equals(r.outcome)) {
        continue;
      }
      for (String fingerprint : r.inputs) {
        String file = inputFiles.get(fingerprint);
        if (file != null) {
          throw new ConfigException("input.path " + s.inputPath + ": " + file + " is the input of run " + r.runId
              + ", which has not finished (" + r.note + "); appending it again would duplicate its rows once that run"
              + " commits: wait for it, or settle it with recover, or set output.allowRepeat=true if that is intended");
        }
      }
    }
  }
}
