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
  /**
   * The encrypted columns a read decrypts, a JSON array of their names: then each gets its key
   * group's DEK of the file as an explicit column key, and the key retriever serves the footer key
   * only (docs/FORMAT.md 12.5).
   */
  public static final String COLUMNS_KEY = "columnseal.page.columns";
  /** The key group of the columns without their own key: its DEK is every file's footer key. */
  public static final String FOOTER_GROUP = KeyGroups.PLAIN_GROUP;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
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

  /** {@link #COLUMNS_KEY}'s value for {@code columns}: a JSON array of strings. */
  public static String columnsValue(java.util.List<String> columns) {
    try {
      return JSON.writeValueAsString(columns);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write column names as JSON", e);
    }
  }

  /**
   * The column names of a {@link #COLUMNS_KEY} value: exactly a JSON array of strings.
   *
   * @throws IllegalArgumentException when it is anything else
   */
  public static java.util.List<String> parseColumns(String value) {
    com.fasterxml.jackson.databind.JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      n = null;
    }
    if (n == null || !n.isArray()) {
      throw new IllegalArgumentException(COLUMNS_KEY + " must be a JSON array of column names, e.g. [\"card_number\"]");
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode c : n) {
      if (!c.isTextual()) {
        throw new IllegalArgumentException(COLUMNS_KEY + " must be a JSON array of column names (strings)");
      }
      out.add(c.asText());
    }
    return out;
  }

  /** The key group of a column of a page-mode manifest: its own key, else {@link #FOOTER_GROUP}. */
  public static String keyGroup(io.columnseal.manifest.ColumnRecord c) {
    return c.key() == null ? FOOTER_GROUP : c.key();
  }

  /**
   * UTF-8 of {@code columnseal page v1\n} + dataset id + {@code \n} + the file's path relative to
   * the dataset root, {@code /}-separated as in the manifest's {@code files}.
   */
  public static byte[] aadPrefix(String datasetId, String relativePath) {
    return (AAD_PREFIX_HEAD + datasetId + "\n" + relativePath).getBytes(StandardCharsets.UTF_8);
  }
}
