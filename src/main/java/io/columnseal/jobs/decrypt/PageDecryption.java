package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.PageKeyBytes;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.dataset.WrappedDek;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import io.columnseal.jobs.dataset.KeyGroups;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.crypto.ColumnDecryptionProperties;
import org.apache.parquet.crypto.DecryptionKeyRetriever;
import org.apache.parquet.crypto.DecryptionPropertiesFactory;
import org.apache.parquet.crypto.FileDecryptionProperties;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.hadoop.metadata.ColumnPath;

/**
 * Parquet's decryption hook for page-mode datasets (docs/FORMAT.md section 12), for every reader:
 * the decrypt job, the data source, and plain Spark with
 * {@code parquet.crypto.factory.class=io.columnseal.jobs.decrypt.PageDecryption} and the keys below.
 *
 * <p>Per file: the file must be live in the manifest; a key metadata must be exactly
 * {@code cs1:<DEK id>} naming a DEK the manifest binds to that file; the DEK is unwrapped through
 * {@link DataKeyCache} with its recorded encryption context; the AAD prefix is computed from the
 * file's path in the dataset, so a renamed or moved file fails; the footer signature is checked.
 * PME's key retriever is not told which column asks, so with {@link #COLUMNS} (the encrypted
 * columns the read decrypts) each listed column gets its key group's DEK of the file as an explicit
 * column key, and the retriever serves the footer key (the file's DEK of kms.key's group) only: a
 * listed column encrypted under another group's DEK fails its GCM tag. Parquet ignores an explicit
 * key for a column the file says is encrypted with the footer key, and reads a column the file
 * stores in clear as plain data, so each listed column's crypto metadata is checked first in the
 * file's plaintext footer ({@link PageColumnCrypto}). Without it, a DEK is checked against the
 * file only.
 */
public final class PageDecryption implements DecryptionPropertiesFactory {
  /** The dataset root (required). */
  public static final String DATASET = PageFormat.DATASET_KEY;
  /** The manifest folder, when not {@code <dataset>/_columnseal} (manifest.path). */
  public static final String MANIFEST_PATH = PageFormat.MANIFEST_PATH_KEY;
  /** A manifest version to read; the latest when unset. */
  public static final String VERSION = PageFormat.VERSION_KEY;
  /** The encrypted columns the read decrypts, a JSON array of names (optional; FORMAT.md 12.5). */
  public static final String COLUMNS = PageFormat.COLUMNS_KEY;
  /** Parquet's key naming the factory class. */
  public static final String FACTORY_KEY = DecryptionPropertiesFactory.CRYPTO_FACTORY_CLASS_PROPERTY_NAME;

  @Override
  public FileDecryptionProperties getFileDecryptionProperties(Configuration conf, Path given) {
    // Qualified like the dataset root, so a reader that opens a relative path finds the file.
    Path file = qualified(conf, given);
    PageDataset d = PageDataset.of(conf);
    long[] bound = d.boundDeks(d.relative(file));
    if (bound == null) {
      // A cached, unpinned manifest may predate an overwrite or append: read it once more.
      d = d.reread(conf);
      bound = d.boundDeks(d.relative(file));
    }
    if (bound == null) {
      throw new ParquetCryptoRuntimeException(file + " is not a live file of dataset " + d.datasetId);
    }
    String relative = d.relative(file);
    String listed = PageReaderSettings.get(conf, COLUMNS);
    if (listed == null) {
      return FileDecryptionProperties.builder()
          .withKeyRetriever(new FileKeys(conf, d, relative, bound, null))
          .withAADPrefix(PageFormat.aadPrefix(d.datasetId, relative))
          .build();
    }
    List<String> columns;
    try {
      columns = PageFormat.parseColumns(listed);
    } catch (IllegalArgumentException e) {
      throw new ParquetCryptoRuntimeException(e.getMessage());
    }
    long footer = groupDek(d, relative, bound, PageFormat.FOOTER_GROUP);
    Map<String, Long> columnDeks = new LinkedHashMap<>();
    for (String c : columns) {
      String group = d.columnGroup(c);
      if (group == null) {
        throw new ParquetCryptoRuntimeException(COLUMNS + " names column " + c + ", which is not an encrypted column"
            + " of dataset " + d.datasetId);
      }
      columnDeks.put(c, groupDek(d, relative, bound, group));
    }
    if (!columnDeks.isEmpty()) {
      PageColumnCrypto.check(conf, file, d.datasetId, bound, columnDeks);
    }
    Map<ColumnPath, ColumnDecryptionProperties> keys = new HashMap<>();
    for (Map.Entry<String, Long> c : columnDeks.entrySet()) {
      byte[] key = unwrap(d, DekId.fromLong(c.getValue()));
      try {
        keys.put(ColumnPath.get(c.getKey()), ColumnDecryptionProperties.builder(c.getKey()).withKey(key).build());
      } finally {
        Arrays.fill(key, (byte) 0); // the builder keeps its own copy
      }
    }
    FileDecryptionProperties.Builder b = FileDecryptionProperties.builder()
        .withKeyRetriever(new FileKeys(conf, d, relative, bound, footer))
        .withAADPrefix(PageFormat.aadPrefix(d.datasetId, relative));
    return (keys.isEmpty() ? b : b.withColumnKeys(keys)).build();
  }

  private static Path qualified(Configuration conf, Path file) {
    try {
      return file.getFileSystem(conf).makeQualified(file);
    } catch (java.io.IOException e) {
      throw new ParquetCryptoRuntimeException("cannot resolve " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * The one DEK of key group {@code group} the manifest binds to the file: a page-mode task makes
   * exactly one per group, so none or several is refused.
   */
  private static long groupDek(PageDataset d, String file, long[] bound, String group) {
    long found = 0;
    int n = 0;
    for (long id : bound) {
      WrappedDek w = d.dek(id);
      if (w != null && group.equals(w.encryptionContext().get(KeyGroups.CONTEXT_KEY))) {
        found = id;
        n++;
      }
    }
    if (n != 1) {
      throw new ParquetCryptoRuntimeException(file + " of dataset " + d.datasetId + " is bound to " + n
          + " DEKs of key group " + group + "; a page-mode file has exactly one per key group it uses");
    }
    return found;
  }

  private static byte[] unwrap(PageDataset d, DekId id) {
    try (DataKeyCache.Lease lease = DataKeyCache.shared().acquire(d.keyService, id, d.dek(id.asLong()))) {
      return PageKeyBytes.forReading(lease.key());
    }
  }

  /** The DEKs of one file, as its key metadata names them. */
  private static final class FileKeys implements DecryptionKeyRetriever {
    private final Configuration conf;
    private PageDataset d;
    private final String file;
    private long[] bound;
    private boolean reread;
    /** With explicit column keys: the footer key's DEK, the only one served here; else null. */
    private final Long footer;

    FileKeys(Configuration conf, PageDataset d, String file, long[] bound, Long footer) {
      this.conf = conf;
      this.d = d;
      this.file = file;
      this.bound = bound;
      this.footer = footer;
    }

    @Override
    public byte[] getKey(byte[] keyMetadata) {
      DekId id;
      try {
        id = PageFormat.parseKeyMetadata(keyMetadata);
      } catch (IllegalArgumentException e) {
        throw new ParquetCryptoRuntimeException(file + " of dataset " + d.datasetId + ": " + e.getMessage());
      }
      if (!PageDataset.allows(bound, id.asLong()) || d.dek(id.asLong()) == null) {
        reread();
      }
      if (!PageDataset.allows(bound, id.asLong())) {
        throw new ParquetCryptoRuntimeException(file + " of dataset " + d.datasetId + " names DEK " + id
            + ", which the manifest does not bind to that file");
      }
      if (footer != null && id.asLong() != footer) {
        // A column not listed in COLUMNS: Parquet hides it (reading it fails, "key access denied").
        throw new KeyAccessDeniedException(file + " of dataset " + d.datasetId + " names DEK " + id + ", not its footer"
            + " key; only the columns listed in " + COLUMNS + " are decrypted, each with its key group's DEK");
      }
      WrappedDek w = d.dek(id.asLong());
      if (w == null) {
        throw new ParquetCryptoRuntimeException(file + " of dataset " + d.datasetId + " names DEK " + id
            + ", which the manifest does not list");
      }
      // Parquet keeps the returned array in its decryptors for as long as the file reader lives:
      // it is Parquet's, not zeroed here (FORMAT.md 12.5).
      return unwrap(d, id);
    }

    /** Reads the manifest once more (a cached one may predate this file's run); the file must still be live. */
    private void reread() {
      if (reread) {
        return;
      }
      reread = true;
      PageDataset fresh = d.reread(conf);
      if (fresh == d) {
        return;
      }
      long[] now = fresh.boundDeks(file);
      if (now == null) {
        throw new ParquetCryptoRuntimeException(file + " is not a live file of dataset " + fresh.datasetId);
      }
      d = fresh;
      bound = now;
    }
  }
}
