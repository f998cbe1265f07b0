package io.columnseal.kms;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DependencyTimeoutException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.LimitExceededException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Turns what the SDK throws into columnseal's {@link KmsException} types. Runs after the SDK's
 * retries, so a throttling or 5xx answer here means the retry budget is spent. The message
 * names the operation, the key, the DEK, the AWS error code and request id (what a CloudTrail
 * search needs); the SDK carries no key bytes in its exceptions, and we add none.
 */
final class AwsKmsErrors {
  private static final int MAX_SERVICE_MESSAGE = 300;

  private AwsKmsErrors() {
  }

  static KmsException translate(String operation, String keyId, String dek, SdkException e) {
    String subject = AwsKmsAnswers.subject(dek);
    if (!(e instanceof AwsServiceException)) {
      // No answer: connection refused or reset, timeouts, or no credentials/region.
      return new KeyUnavailableException(operation, keyId, subject + "no answer from KMS: " + describe(e), e);
    }
    AwsServiceException ase = (AwsServiceException) e;
    String code = errorCode(ase);
    String detail = subject + "KMS answered " + code + " (HTTP " + ase.statusCode() + ", request id "
        + ase.requestId() + ")" + serviceMessage(ase);

    if (ase.isThrottlingException() || "ThrottlingException".equals(code) || e instanceof LimitExceededException) {
      return new KmsThrottledException(operation, keyId, detail + "; still throttled after the SDK's retries", e);
    }
    if (e instanceof NotFoundException) {
      return new KeyNotFoundException(operation, keyId, detail, e);
    }
    if (e instanceof DisabledException || e instanceof KmsInvalidStateException) {
      return new KeyDisabledException(operation, keyId, detail, e);
    }
    if ("AccessDeniedException".equals(code)) {
      return new KmsAccessDeniedException(operation, keyId, detail, e);
    }
    if (e instanceof software.amazon.awssdk.services.kms.model.InvalidKeyUsageException) {
      return new InvalidKeyUsageException(operation, keyId, detail, e);
    }
    if (e instanceof software.amazon.awssdk.services.kms.model.InvalidCiphertextException
        || e instanceof IncorrectKeyException) {
      return new InvalidCiphertextException(operation, keyId, detail, e);
    }
    if (e instanceof software.amazon.awssdk.services.kms.model.KeyUnavailableException
        || e instanceof DependencyTimeoutException || e instanceof KmsInternalException || ase.statusCode() >= 500) {
      return new KeyUnavailableException(operation, keyId, detail + "; still failing after the SDK's retries", e);
    }
    return new KmsRequestRejectedException(operation, keyId, detail, e);
  }

  /** The SDK's client-side exceptions often have empty messages (AbortedException): name them. */
  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      sb.append(" (").append(oneLine(e.getMessage())).append(')');
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e) {
      sb.append(", caused by ").append(root.getClass().getSimpleName());
    }
    return sb.toString();
  }

  private static String errorCode(AwsServiceException e) {
    AwsErrorDetails d = e.awsErrorDetails();
    return d == null || d.errorCode() == null ? "an unnamed error" : d.errorCode();
  }

  private static String serviceMessage(AwsServiceException e) {
    AwsErrorDetails d = e.awsErrorDetails();
    if (d == null || d.errorMessage() == null || d.errorMessage().isBlank()) {
      return "";
    }
    return ": " + oneLine(d.errorMessage());
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() <= MAX_SERVICE_MESSAGE ? t : t.substring(0, MAX_SERVICE_MESSAGE) + "...";
  }
}
