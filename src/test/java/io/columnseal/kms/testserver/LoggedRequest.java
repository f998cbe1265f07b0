package io.columnseal.kms.testserver;

import java.util.Map;

/**
 * One request the server got, as a test asserts on it.
 *
 * @param operation the KMS operation, e.g. {@code GenerateDataKey}
 * @param accessKeyId the access key id of the SigV4 signature
 * @param keyId the key the request named (KeyId, SourceKeyId or TargetKeyId), as sent; null if none
 * @param destinationKeyId ReEncrypt's DestinationKeyId; null otherwise
 * @param context EncryptionContext (ReEncrypt: SourceEncryptionContext); empty if none
 * @param destinationContext ReEncrypt's DestinationEncryptionContext; empty otherwise
 * @param keyArn the ARN of the key the server resolved or found in the blob; null if none
 * @param status the HTTP status answered; 0 when the connection was dropped
 * @param outcome {@code OK}, the error type answered ({@code ThrottlingException}, ...), or
 *     {@code ConnectionDropped}
 */
public record LoggedRequest(
    String operation,
    String accessKeyId,
    String keyId,
    String destinationKeyId,
    Map<String, String> context,
    Map<String, String> destinationContext,
    String keyArn,
    int status,
    String outcome) {

  public static final String OK = "OK";
  public static final String DROPPED = "ConnectionDropped";

  public boolean ok() {
    return OK.equals(outcome);
  }
}
