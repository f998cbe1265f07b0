package io.columnseal.jobs.encrypt;

import org.apache.parquet.crypto.ParquetCipher;

/**
 * The Parquet modular encryption algorithm of page mode ({@code encrypt.pageAlgorithm}).
 * AES_GCM_V1 authenticates every page and module; AES_GCM_CTR_V1 encrypts page bodies with
 * AES-CTR (no authentication of page bodies: a flipped byte there decrypts to a wrong value
 * unnoticed) and only the metadata with GCM.
 */
public enum PageAlgorithm {
  AES_GCM_V1(ParquetCipher.AES_GCM_V1),
  AES_GCM_CTR_V1(ParquetCipher.AES_GCM_CTR_V1);

  final ParquetCipher cipher;

  PageAlgorithm(ParquetCipher cipher) {
    this.cipher = cipher;
  }
}
