package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.dataset.PlaintextFooter;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnCryptoMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;

/**
 * The crypto metadata of the columns a page read decrypts, checked in the file's plaintext footer
 * before Parquet opens it (docs/FORMAT.md 12.5). Parquet-java ignores an explicit column key for a
 * column the file says is encrypted with the footer key, and reads a column the file stores in
 * clear as plain data: a file re-signed with the footer key (kms.key's group, which every page
 * reader can unwrap) could otherwise serve another group's column under the footer key, or in
 * clear. So every chunk of every listed column must be encrypted with its own column key, its key
 * metadata naming the file's DEK of the column's key group.
 */
final class PageColumnCrypto {
  private PageColumnCrypto() {}

  /**
   * Refuses {@code file} in one line naming it and the column unless each column's chunks use its
   * DEK; a key metadata naming a DEK not in {@code bound} is refused as the key retriever would.
   */
  static void check(Configuration conf, Path file, String datasetId, long[] bound, Map<String, Long> columnDeks) {
    FileMetaData footer;
    try {
      footer = PlaintextFooter.read(conf, file);
    } catch (IOException | RuntimeException e) {
      throw new ParquetCryptoRuntimeException(file + " of dataset " + datasetId + " cannot be read as a page-mode file: "
          + (e instanceof PlaintextFooter.NoFooter ? "it " + e.getMessage() : e.getClass().getSimpleName()));
    }
    Set<String> seen = new HashSet<>();
    for (RowGroup g : footer.getRow_groups()) {
      for (ColumnChunk c : g.getColumns()) {
        String name = PlaintextFooter.columnName(c);
        Long dek = columnDeks.get(name);
        if (dek == null) {
          continue;
        }
        seen.add(name);
        String wrong = wrongCrypto(c.getCrypto_metadata(), DekId.fromLong(dek), bound);
        if (wrong != null) {
          throw new ParquetCryptoRuntimeException(file + " of dataset " + datasetId + ": column " + name + " " + wrong);
        }
      }
    }
    for (String c : columnDeks.keySet()) {
      if (!seen.contains(c) && !footer.getRow_groups().isEmpty()) {
        throw new ParquetCryptoRuntimeException(file + " of dataset " + datasetId + " has no column " + c);
      }
    }
  }

  /** What is wrong with a chunk's crypto metadata against DEK {@code dek}, or null. */
  private static String wrongCrypto(ColumnCryptoMetaData m, DekId dek, long[] bound) {
    String own = "; page mode encrypts it with its own column key, its key group's DEK " + dek;
    if (m == null) {
      return "is stored in clear" + own;
    }
    if (!m.isSetENCRYPTION_WITH_COLUMN_KEY()) {
      return "is encrypted with the footer key" + own;
    }
    DekId named;
    try {
      named = PageFormat.parseKeyMetadata(m.getENCRYPTION_WITH_COLUMN_KEY().getKey_metadata());
    } catch (IllegalArgumentException e) {
      return "has key metadata that is not columnseal's (" + e.getMessage() + ")" + own;
    }
    if (!PageDataset.allows(bound, named.asLong())) {
      return "names DEK " + named + ", which the manifest does not bind to that file";
    }
    return named.equals(dek) ? null : "names DEK " + named + own;
  }
}
