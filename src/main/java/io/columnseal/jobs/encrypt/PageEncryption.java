package io.columnseal.jobs.encrypt;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.crypto.EncryptionPropertiesFactory;
import org.apache.parquet.crypto.FileEncryptionProperties;
import org.apache.parquet.hadoop.api.WriteSupport;

/**
 * Parquet's hook into page mode's write (docs/FORMAT.md section 12): named by
 * {@code parquet.crypto.factory.class} in the encrypt write's own options only, it hands each
 * file the writing task's keys ({@link PageTaskKeys}), which {@link PagePartition} registered.
 * Parquet makes one instance per file; the state lives with the task.
 */
public final class PageEncryption implements EncryptionPropertiesFactory {
  /** Parquet's key naming the factory class. */
  static final String FACTORY_KEY = EncryptionPropertiesFactory.CRYPTO_FACTORY_CLASS_PROPERTY_NAME;

  @Override
  public FileEncryptionProperties getFileEncryptionProperties(Configuration conf, Path file,
      WriteSupport.WriteContext context) {
    return PageTaskKeys.current().fileProperties(file);
  }
}
