package io.columnseal.jobs.dataset;

import io.columnseal.crypto.DekId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes page mode puts into Parquet modular encryption (docs/FORMAT.md section 12), shared by
 * the writer and every reader: the key metadata naming a DEK, and the AAD prefix that binds a
 * file's modules to its dataset and its place in it. Pure functions, no key material.
 */
public final class PageFormat {
  /** The key metadata's prefix: format 1 of columnseal's PME key metadata. */
  static final String KEY_METADATA_PREFIX = "cs1:";
  /** {@code cs1:} and 16 lower-case hex digits. */
  public static final int KEY_METADATA_BYTES = KEY_METADATA_PREFIX.length() + 16;
  static final String AAD_PREFIX_HEAD = "columnseal page v1\n";

  /** The decryption factory every reader names in {@code parquet.crypto.factory.class}. */
  public static final String DECRYPTION_FACTORY = "io.columnseal.jobs.decrypt.PageDecryption";
  /** Parquet's Hadoop key naming the factory class. */
  public static final String FACTORY_KEY = "parquet.crypto.factory.class";
  /** The factory's keys: the dataset root (required), a manifest folder and a pinned version. */
  public static final String DATASET_KEY = "columnseal.page.dataset";
  public static final String MANIFEST_PATH_KEY = "columnseal.page.manifestPath";
  public static final String VERSION_KEY = "columnseal.page.version";
  /** The reader config keys the factory takes, each prefixed with {@code columnseal.}. */
  public static final java.util.List<String> READER_KEYS = java.util.List.of("kms.provider", "kms.keyring",
      "kms.region", "kms.endpoint", "kms.profile", "kms.allowedKeys", "manifest.macKey");

  private PageFormat() {}

  /** The 20 ASCII bytes {@code cs1:<DEK id as 16 lower-case hex digits>}. */
  public static byte[] keyMetadata(DekId id) {
    return (KEY_METADATA_PREFIX + id.hex()).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The DEK id of exactly {@code cs1:} + 16 lower-case hex digits; anything else is refused.
   *
   * @throws IllegalArgumentException saying what is wrong (length or shape), never echoing the bytes
   */
  public static DekId parseKeyMetadata(byte[] metadata) {
    if (metadata == null || metadata.length != KEY_METADATA_BYTES) {
      throw new IllegalArgumentException("key metadata must be " + KEY_METADATA_BYTES + " bytes (cs1: and a 16-digit "
          + "DEK id), got " + (metadata == null ? "none" : metadata.length + " bytes"));
    }
    byte[] prefix = KEY_METADATA_PREFIX.getBytes(StandardCharsets.US_ASCII);
    if (!Arrays.equals(metadata, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalArgumentException("key metadata does not start with cs1:");
    }
    long id = 0;
    for (int i = prefix.length; i < metadata.length; i++) {
      int b = metadata[i];
      int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
      if (digit < 0) {
        throw new IllegalArgumentException("key metadata's DEK id is not 16 lower-case hex digits");
      }
      id = (id << 4) | digit;
    }
    return DekId.fromLong(id);
  }

  /**
   * UTF-8 of {@code columnseal page v1\n} + dataset id + {@code \n} + the file's path relative to
   * the dataset root, {@code /}-separated as in the manifest's {@code files}.
   */
  public static byte[] aadPrefix(String datasetId, String relativePath) {
    return (AAD_PREFIX_HEAD + datasetId + "\n" + relativePath).getBytes(StandardCharsets.UTF_8);
  }
}
