package io.columnseal.kms;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.protect.DomainKey;

/**
 * The KMS operations columnseal needs: the four DEK operations, each with an encryption
 * context, and GenerateMac/VerifyMac with an HMAC key (for authenticated manifests). One implementation
 * per backend: {@code LocalKeyring} (local development and tests only) and the AWS KMS backend.
 *
 * <p>Errors are {@link KmsException} subtypes that name the operation and the key id or ARN,
 * never key bytes: {@link KeyNotFoundException}, {@link KeyDisabledException},
 * {@link KmsAccessDeniedException}, {@link InvalidCiphertextException},
 * {@link KeyUnavailableException}, {@link KmsThrottledException}, {@link KeyMismatchException},
 * {@link InvalidKeyUsageException}.
 */
public interface KeyService extends AutoCloseable {

  /**
   * GenerateDataKey (AES_256) under {@code keyId} (a key id, key ARN, alias name or alias ARN).
   * The caller names the DEK; the id is part of {@code context}. The plaintext is a
   * {@link io.columnseal.crypto.SealingKey}, the only key type that seals; the caller destroys it
   * when done.
   */
  GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context);

  /**
   * Checks, without making a key, that {@link #generateDataKey} under {@code keyId} with
   * {@code context} would be allowed now (AWS: GenerateDataKey with DryRun, which evaluates the
   * caller's permissions and the key's state; the local keyring: the key exists, is enabled and
   * wraps data keys).
   *
   * @throws KmsException as {@link #generateDataKey} would
   */
  default void checkGenerateDataKey(String keyId, EncryptionContext context) {
    throw new UnsupportedOperationException(this + " does not offer a GenerateDataKey check");
  }

  /**
   * Decrypt a wrapped DEK. Fails with {@link KeyMismatchException} if the key that unwrapped it
   * is not {@code wrapped.keyArn()}, and with {@link InvalidCiphertextException} if the blob or
   * the context differs from what was wrapped. The DEK comes back as an {@link OpeningKey}: it
   * opens cells and can never seal (its nonces are taken).
   */
  OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context);

  /**
   * ReEncrypt a wrapped DEK under {@code destinationKeyId} (or under the newest version of the
   * same key), keeping the context. The plaintext never leaves the key service.
   */
  WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId);

  /**
   * GenerateDataKey (AES_256) under {@code keyId} for the token domain {@code domain}: the same
   * KMS operation and checks as {@link #generateDataKey}, the plaintext held as a
   * {@link DomainKey} named {@code domain} and {@code id}. {@code context} is the domain's
   * (see {@code DomainContext}); the caller destroys the plaintext.
   */
  default GeneratedDomainKey generateDomainKey(String keyId, String domain, DekId id, EncryptionContext context) {
    throw new UnsupportedOperationException(this + " does not offer domain keys");
  }

  /**
   * Decrypt of a wrapped domain key, with the checks of {@link #decrypt}: {@link KeyMismatchException}
   * if KMS answers with another key than {@code wrapped.keyArn()}, {@link InvalidCiphertextException}
   * if the blob or the context differs from what was wrapped.
   */
  default DomainKey decryptDomainKey(WrappedKey wrapped, String domain, DekId id, EncryptionContext context) {
    throw new UnsupportedOperationException(this + " does not offer domain keys");
  }

  /**
   * GenerateMac with HMAC_SHA_256 under the HMAC key {@code keyId} (any of the four reference
   * forms) over {@code message} (1 to 4096 bytes, as KMS takes). Returns the tag and the key ARN
   * that made it. An AES key fails with {@link InvalidKeyUsageException}.
   */
  default GeneratedMac generateMac(String keyId, byte[] message) {
    throw new UnsupportedOperationException(this + " does not offer GenerateMac");
  }

  /**
   * VerifyMac with HMAC_SHA_256: true when {@code mac} is the tag of {@code message} under the
   * HMAC key {@code keyId}; false when it is not (another message, key or tag: KMS answers
   * KMSInvalidMacException). Anything else (unknown or disabled key, an AES key, no access)
   * throws, so false always means "this MAC does not authenticate this message".
   */
  default boolean verifyMac(String keyId, byte[] message, byte[] mac) {
    throw new UnsupportedOperationException(this + " does not offer VerifyMac");
  }

  /**
   * {@link #verifyMac}, answering with the ARN of the key KMS verified with when the MAC verifies
   * and null when it does not, so a caller can compare the ARN a record names with the key it
   * trusts (docs/FORMAT.md 5.4).
   */
  default String verifyMacKey(String keyId, byte[] message, byte[] mac) {
    throw new UnsupportedOperationException(this + " does not offer VerifyMac");
  }

  /**
   * Who calls which key service, as a non-secret string: the backend and its location plus the
   * principal whose credentials are in use (for AWS the access key id, never the secret). Two
   * callers with different rights must get different identities; a DEK cache keys on it.
   */
  String identity();

  /** DescribeKey: resolves an id, ARN or alias to the key ARN and its state. */
  KeyDescription describeKey(String keyId);

  /** Releases clients or files. Does not throw checked exceptions. */
  @Override
  void close();
}
