package io.columnseal.kms;

import io.columnseal.crypto.DataKey;
import io.columnseal.crypto.DekId;

/**
 * The four KMS operations columnseal needs, each with an encryption context. One implementation
 * per backend: {@code LocalKeyring} (local development and tests only) and the AWS KMS backend.
 *
 * <p>Errors are {@link KmsException} subtypes that name the operation and the key id or ARN,
 * never key bytes: {@link KeyNotFoundException}, {@link KeyDisabledException},
 * {@link KmsAccessDeniedException}, {@link InvalidCiphertextException},
 * {@link KeyUnavailableException}, {@link KmsThrottledException}, {@link KeyMismatchException}.
 */
public interface KeyService extends AutoCloseable {

  /**
   * GenerateDataKey (AES_256) under {@code keyId} (a key id, key ARN, alias name or alias ARN).
   * The caller names the DEK; the id is part of {@code context}. The caller destroys the
   * returned plaintext when done.
   */
  GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context);

  /**
   * Decrypt a wrapped DEK. Fails with {@link KeyMismatchException} if the key that unwrapped it
   * is not {@code wrapped.keyArn()}, and with {@link InvalidCiphertextException} if the blob or
   * the context differs from what was wrapped.
   */
  DataKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context);

  /**
   * ReEncrypt a wrapped DEK under {@code destinationKeyId} (or under the newest version of the
   * same key), keeping the context. The plaintext never leaves the key service.
   */
  WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId);

  /** DescribeKey: resolves an id, ARN or alias to the key ARN and its state. */
  KeyDescription describeKey(String keyId);

  /** Releases clients or files. Does not throw checked exceptions. */
  @Override
  void close();
}
