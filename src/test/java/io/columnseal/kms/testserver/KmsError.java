package io.columnseal.kms.testserver;

/**
 * An error answer as KMS sends it in AWS JSON 1.1: an HTTP status and a body
 * {@code {"__type":"<code>","message":"..."}}. Client faults are 400 (throttling and access
 * denied included); KMS's own failures are 500.
 */
final class KmsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String type;

  private KmsError(int status, String type, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  /** What KMS answers a DryRun request that would have succeeded (HTTP 412). */
  static KmsError dryRun() {
    return new KmsError(412, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
  }

  static KmsError notFound(String message) {
    return new KmsError(400, "NotFoundException", message);
  }

  static KmsError disabled(String arn) {
    return new KmsError(400, "DisabledException", arn + " is disabled.");
  }

  static KmsError invalidState(String message) {
    return new KmsError(400, "KMSInvalidStateException", message);
  }

  static KmsError invalidCiphertext() {
    return new KmsError(400, "InvalidCiphertextException", null);
  }

  static KmsError invalidKeyUsage(String message) {
    return new KmsError(400, "InvalidKeyUsageException", message);
  }

  /** VerifyMac's "the MAC does not match": no message, like InvalidCiphertextException. */
  static KmsError invalidMac() {
    return new KmsError(400, "KMSInvalidMacException", null);
  }

  static KmsError incorrectKey() {
    return new KmsError(400, "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.");
  }

  static KmsError accessDenied(String accessKeyId, String action, String resource) {
    return new KmsError(400, "AccessDeniedException", "User: arn:aws:iam::" + ServerKeys.ACCOUNT + ":user/"
        + accessKeyId + " is not authorized to perform: " + action + " on resource: " + resource
        + " because no identity-based policy allows the " + action + " action");
  }

  static KmsError throttling() {
    return new KmsError(400, "ThrottlingException", "Rate exceeded");
  }

  static KmsError internal() {
    return new KmsError(500, "KMSInternalException", "An internal error occurred.");
  }

  static KmsError validation(String message) {
    return new KmsError(400, "ValidationException", message);
  }

  static KmsError alreadyExists(String message) {
    return new KmsError(400, "AlreadyExistsException", message);
  }

  static KmsError invalidAliasName(String message) {
    return new KmsError(400, "InvalidAliasNameException", message);
  }

  static KmsError unsupported(String message) {
    return new KmsError(400, "UnsupportedOperationException", message);
  }

  static KmsError missingAuthentication() {
    return new KmsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  static KmsError unknownOperation(String target) {
    return new KmsError(400, "UnknownOperationException", "Unknown operation " + target);
  }

  static KmsError serialization(String message) {
    return new KmsError(400, "SerializationException", message);
  }
}
