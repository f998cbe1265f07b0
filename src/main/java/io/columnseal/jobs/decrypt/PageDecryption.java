package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.PageKeyBytes;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.dataset.WrappedDek;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.crypto.DecryptionKeyRetriever;
import org.apache.parquet.crypto.DecryptionPropertiesFactory;
import org.apache.parquet.crypto.FileDecryptionProperties;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;

/**
 * Parquet's decryption hook for page-mode datasets (docs/FORMAT.md section 12), for every reader:
 * the decrypt job, the data source, and plain Spark with
 * {@code parquet.crypto.factory.class=io.columnseal.jobs.decrypt.PageDecryption} and the keys below.
 *
 * <p>Per file: the file must be live in the manifest; a key metadata must be exactly
 * {@code cs1:<DEK id>} naming a DEK the manifest binds to that file; the DEK is unwrapped through
 * {@link DataKeyCache} with its recorded encryption context; the AAD prefix is computed from the
 * file's path in the dataset, so a renamed or moved file fails; the footer signature is checked.
 * PME's key retriever is not told which column asks, so a DEK is checked against the file, not
 * the column's key group: a column key metadata pointing at another group's DEK of the same file
 * fails GCM authentication instead (the signed footer covers the key metadata).
 */
public final class PageDecryption implements DecryptionPropertiesFactory {
  /** The dataset root (required). */
  public static final String DATASET = PageFormat.DATASET_KEY;
  /** The manifest folder, when not {@code <dataset>/_columnseal} (manifest.path). */
  public static final String MANIFEST_PATH = PageFormat.MANIFEST_PATH_KEY;
  /** A manifest version to read; the latest when unset. */
  public static final String VERSION = PageFormat.VERSION_KEY;
  /** Parquet's key naming the factory class. */
  public static final String FACTORY_KEY = DecryptionPropertiesFactory.CRYPTO_FACTORY_CLASS_PROPERTY_NAME;

  @Override
  public FileDecryptionProperties getFileDecryptionProperties(Configuration conf, Path file) {
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
    return FileDecryptionProperties.builder()
        .withKeyRetriever(new FileKeys(conf, d, relative, bound))
        .withAADPrefix(PageFormat.aadPrefix(d.datasetId, relative))
        .build();
  }

  /** The DEKs of one file, as its key metadata names them. */
  private static final class FileKeys implements DecryptionKeyRetriever {
    private final Configuration conf;
    private PageDataset d;
    private final String file;
    private long[] bound;
    private boolean reread;

    FileKeys(Configuration conf, PageDataset d, String file, long[] bound) {
      this.conf = conf;
      this.d = d;
      this.file = file;
      this.bound = bound;
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
      WrappedDek w = d.dek(id.asLong());
      if (w == null) {
        throw new ParquetCryptoRuntimeException(file + " of dataset " + d.datasetId + " names DEK " + id
            + ", which the manifest does not list");
      }
      try (DataKeyCache.Lease lease = DataKeyCache.shared().acquire(d.keyService, id, w)) {
        return PageKeyBytes.forReading(lease.key());
      }
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
