package io.columnseal.kms;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.InvalidDataKeyException;
import io.columnseal.crypto.SealingKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;

/**
 * What {@link AwsKms} checks before a request leaves (key references, arguments) and in what
 * KMS answers (the key ARN, the ciphertext blob, the DEK length), and how it handles the SDK's
 * plaintext bytes. Messages name operations, keys and DEK ids, never key bytes.
 */
final class AwsKmsAnswers {
  private AwsKmsAnswers() {}

  /**
   * The key ARN KMS answered with, after checking it is the key asked for (see
   * {@link AwsKeyRef#answerProblem}): a KMS, proxy or endpoint that names another key would
   * otherwise have the manifest record a key that does not hold the DEK.
   */
  static String answeredArn(String operation, String keyId, String answered, String dek) {
    String problem = AwsKeyRef.answerProblem(keyId, answered);
    if (problem != null) {
      throw new KeyMismatchException(operation, keyId, subject(dek) + problem
          + (AwsKeyRef.isKeyArn(answered) || answered == null ? "" : " (got " + answered.length() + " characters)"));
    }
    return answered;
  }

  /** A malformed key reference never reaches KMS (whose error would quote it) nor a message. */
  static void requireWellFormed(String operation, String keyId) {
    String problem = AwsKeyRef.problem(keyId);
    if (problem != null) {
      throw new KmsRequestRejectedException(operation, AwsKeyRef.INVALID, problem);
    }
  }

  /** A wrapped DEK names its key by key ARN (the manifest records what KMS answered). */
  static void requireKeyArn(String operation, String arn, String dek) {
    if (!AwsKeyRef.isKeyArn(arn)) {
      throw new KmsRequestRejectedException(operation, AwsKeyRef.INVALID, subject(dek)
          + "the wrapped key names no key ARN (" + (arn == null ? 0 : arn.length()) + " characters)");
    }
  }

  static byte[] requireBlob(String operation, String arn, SdkBytes blob) {
    if (blob == null || blob.asByteArrayUnsafe().length == 0) {
      throw new KmsRequestRejectedException(operation, arn, "KMS answered without a ciphertext blob");
    }
    return blob.asByteArray();
  }

  static void checkKeyLength(String operation, String arn, DekId dekId, byte[] plaintext) {
    int n = plaintext == null ? 0 : plaintext.length;
    if (n != SealingKey.KEY_BYTES) {
      throw new InvalidDataKeyException(operation + " under key " + arn + " returned " + n
          + " bytes of plaintext for DEK " + dekId + ", expected " + SealingKey.KEY_BYTES);
    }
  }

  /**
   * The SDK's own array behind the plaintext (not a copy), so zeroing it clears the copy the
   * SDK keeps in the response object. The HTTP layer's buffers are out of our reach.
   */
  static byte[] sdkOwnedBytes(SdkBytes bytes) {
    return bytes == null ? null : bytes.asByteArrayUnsafe();
  }

  /** The key built from the SDK's plaintext array, which is zeroed afterwards whatever happens. */
  static <T> T thenZero(byte[] plaintext, Function<byte[], T> use) {
    try {
      return use.apply(plaintext);
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /**
   * "DEK <hex>: " for a DEK id, or the text itself for a longer subject ("domain pan key <hex>"),
   * which has a space where a DEK id never does; empty for none.
   */
  static String subject(String dek) {
    return dek == null ? "" : (dek.indexOf(' ') >= 0 ? dek : "DEK " + dek) + ": ";
  }

  static void requireArgs(Object a, Object b, Object c) {
    Objects.requireNonNull(a);
    Objects.requireNonNull(b);
    Objects.requireNonNull(c, "encryption context");
  }
}
