package io.columnseal.jobs.verify;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.dataset.PlaintextFooter;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.FileRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;

/**
 * verify's footer checks of a page-mode dataset (docs/FORMAT.md section 12), on the driver, from
 * each live file's raw Thrift footer as any implementer reads it (no key needed): a plaintext
 * footer ({@code PAR1}) with a PME algorithm and a footer signing key; every column the manifest
 * encrypts encrypted with its own column key, no clear column encrypted; every key metadata
 * exactly {@code cs1:<DEK id>} naming a DEK the manifest binds to that file.
 */
final class PageFooters {
  /** Per live file whose footer has no finding: per row group, encrypted column -> its DEK id. */
  final Map<String, List<Map<String, Long>>> columnDeks = new LinkedHashMap<>();

  private PageFooters() {}

  static PageFooters check(Configuration conf, DatasetSnapshot snap, VerifyReport r) {
    PageFooters out = new PageFooters();
    Set<String> encrypted = new HashSet<>(snap.state.encryptedColumns());
    Map<String, String> columnGroups = new HashMap<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (c.encrypted()) {
        columnGroups.put(c.name(), PageFormat.keyGroup(c));
      }
    }
    Set<String> dropped = new HashSet<>();
    for (ColumnRecord c : snap.state.schema()) {
      if (!c.stored()) {
        dropped.add(c.name());
      }
    }
    long rows = 0;
    for (String f : snap.state.liveFiles()) {
      FileMetaData footer;
      try {
        footer = read(conf, new Path(snap.path, f), f, r);
      } catch (java.io.FileNotFoundException e) {
        continue; // missing-file names it
      } catch (IOException | RuntimeException e) {
        r.find("unreadable-file", "file " + f + " cannot be read as Parquet: " + e.getClass().getSimpleName());
        continue;
      }
      if (footer == null) {
        continue;
      }
      rows += footer.getNum_rows();
      Set<Long> bound = new HashSet<>();
      snap.state.boundFile(f).map(FileRecord::deks).orElse(List.of()).forEach(d -> bound.add(d.asLong()));
      int findings = r.findings.size();
      if (!footer.isSetEncryption_algorithm()) {
        r.find("page-footer", "file " + f + " is not Parquet modular encrypted (its footer names no encryption"
            + " algorithm); the dataset is written in page mode");
      } else if (!footer.isSetFooter_signing_key_metadata()) {
        r.find("page-footer", "file " + f + "'s plaintext footer has no footer signing key metadata");
      } else {
        Long dek = keyMetadata(footer.getFooter_signing_key_metadata(), "the footer signing key", f, bound, snap, r);
        keyGroup(dek, PageFormat.FOOTER_GROUP, "the footer signing key", f, snap, r);
      }
      List<Map<String, Long>> groups = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (RowGroup g : footer.getRow_groups()) {
        Map<String, Long> deks = new HashMap<>();
        for (ColumnChunk c : g.getColumns()) {
          String name = PlaintextFooter.columnName(c);
          seen.add(name);
          Long dek = column(c, name, encrypted.contains(name), f, bound, snap, r);
          if (dek != null && keyGroup(dek, columnGroups.get(name), "column " + name, f, snap, r)) {
            deks.put(name, dek);
          }
        }
        groups.add(deks);
      }
      for (String c : encrypted) {
        if (!seen.contains(c) && !footer.getRow_groups().isEmpty()) {
          r.find("page-column", "file " + f + " has no column " + c);
        }
      }
      for (String c : dropped) {
        if (seen.contains(c)) {
          r.find("dropped-column", "file " + f + " holds column " + c + ", which the manifest records as dropped"
              + " (not to be stored)");
        }
      }
      if (r.findings.size() == findings) {
        out.columnDeks.put(f, groups);
      }
    }
    FileChecks.checkRowCount(snap, rows, r);
    return out;
  }

  /** The footer, or null with a finding when the file does not end in a plaintext footer. */
  private static FileMetaData read(Configuration conf, Path p, String f, VerifyReport r) throws IOException {
    try {
      return PlaintextFooter.read(conf, p);
    } catch (PlaintextFooter.NoFooter e) {
      r.find(e.check, "file " + f + " " + e.getMessage());
      return null;
    }
  }

  /** One column chunk against the manifest; the DEK its key metadata names, or null. */
  private static Long column(ColumnChunk c, String name, boolean encrypted, String f, Set<Long> bound,
      DatasetSnapshot snap, VerifyReport r) {
    if (!c.isSetCrypto_metadata()) {
      if (encrypted) {
        r.find("clear-column", "column " + name + " in file " + f + " is stored in clear; the manifest says it is"
            + " encrypted");
      }
      return null;
    }
    if (!encrypted) {
      r.find("page-column", "column " + name + " in file " + f + " is encrypted; the manifest says it is clear");
      return null;
    }
    if (!c.getCrypto_metadata().isSetENCRYPTION_WITH_COLUMN_KEY()) {
      r.find("page-column", "column " + name + " in file " + f + " is encrypted with the footer key, not its own"
          + " column key");
      return null;
    }
    byte[] km = c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getKey_metadata();
    return keyMetadata(km, "column " + name + "'s key metadata", f, bound, snap, r);
  }

  /**
   * Whether DEK {@code dek} (null: already a finding) is of key group {@code group}; else a
   * {@code key-group} finding: page readers give a column its group's DEK, so a column encrypted
   * under another group's DEK of the file does not decrypt (FORMAT.md 12.5).
   */
  private static boolean keyGroup(Long dek, String group, String what, String f, DatasetSnapshot snap,
      VerifyReport r) {
    if (dek == null) {
      return false;
    }
    DekId id = DekId.fromLong(dek);
    String dekGroup = snap.state.deks().get(id).encryptionContext().get(io.columnseal.jobs.dataset.KeyGroups.CONTEXT_KEY);
    if (group.equals(dekGroup)) {
      return true;
    }
    r.find("key-group", what + " in file " + f + " names DEK " + id + " of key group " + dekGroup + ", but its key"
        + " group is " + group);
    return false;
  }

  /** The DEK id {@code metadata} names, or null with a {@code key-metadata} finding. */
  private static Long keyMetadata(byte[] metadata, String what, String f, Set<Long> bound, DatasetSnapshot snap,
      VerifyReport r) {
    DekId id;
    try {
      id = PageFormat.parseKeyMetadata(metadata);
    } catch (IllegalArgumentException e) {
      r.find("key-metadata", what + " in file " + f + " is not columnseal's: " + e.getMessage());
      return null;
    }
    if (!snap.state.deks().containsKey(id)) {
      r.find("key-metadata", what + " in file " + f + " names DEK " + id + ", which the manifest does not list");
      return null;
    }
    if (!bound.contains(id.asLong())) {
      r.find("key-metadata", what + " in file " + f + " names DEK " + id + ", which the manifest does not bind to"
          + " that file");
      return null;
    }
    return id.asLong();
  }
}
