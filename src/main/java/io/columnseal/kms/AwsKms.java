package io.columnseal.kms;

import static io.columnseal.kms.AwsKmsAnswers.answeredArn;
import static io.columnseal.kms.AwsKmsAnswers.checkKeyLength;
import static io.columnseal.kms.AwsKmsAnswers.requireArgs;
import static io.columnseal.kms.AwsKmsAnswers.requireBlob;
import static io.columnseal.kms.AwsKmsAnswers.requireKeyArn;
import static io.columnseal.kms.AwsKmsAnswers.requireWellFormed;
import static io.columnseal.kms.AwsKmsAnswers.sdkOwnedBytes;
import static io.columnseal.kms.AwsKmsAnswers.thenZero;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import io.columnseal.crypto.protect.DomainKey;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.GenerateMacResponse;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;
import software.amazon.awssdk.services.kms.model.VerifyMacResponse;

/**
 * {@link KeyService} on AWS KMS through the SDK v2 sync client.
 *
 * <p>The client is built on the first call, once per instance ({@code KeyServices} keeps one
 * instance per spec per JVM, so one client per executor), and is safe for concurrent use.
 * Retries are the SDK's (adaptive mode by default, see {@link AwsKmsOptions}); nothing here
 * loops. Every call carries the encryption context, and what KMS answers is checked: the
 * key ARN it names and the length of the plaintext DEK. The SDK's copy of a plaintext DEK is
 * zeroed as soon as a {@link SealingKey} or {@link OpeningKey} holds it.
 */
public final class AwsKms implements KeyService {
  private final KeyServiceSpec spec;
  private final AwsKmsOptions options;
  private final Object lock = new Object();

  private volatile KmsClient client;
  // Guarded by lock: what we created and must close with the client.
  private SdkHttpClient httpClient;
  private ProfileCredentialsProvider profileCredentials;
  // The provider the client signs with, kept so identity() names the same principal.
  private volatile AwsCredentialsProvider credentialsInUse;
  private DefaultCredentialsProvider defaultCredentials;
  private boolean closed;

  public AwsKms(KeyServiceSpec spec, AwsKmsOptions options) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.options = Objects.requireNonNull(options, "options");
    if (spec.provider() != KeyServiceSpec.Provider.AWS) {
      throw new IllegalArgumentException("AwsKms needs an AWS key service spec, got " + spec);
    }
  }

  @Override
  public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
    requireArgs(keyId, dekId, context);
    String op = "GenerateDataKey";
    requireWellFormed(op, keyId);
    GenerateDataKeyResponse r = call(op, keyId, dekId.hex(), kms -> kms.generateDataKey(b -> b
        .keyId(keyId)
        .keySpec(DataKeySpec.AES_256)
        .encryptionContext(context.asMap())));
    return thenZero(sdkOwnedBytes(r.plaintext()), plaintext -> {
      String arn = answeredArn(op, keyId, r.keyId(), dekId.hex());
      WrappedKey wrapped = new WrappedKey(arn, requireBlob(op, arn, r.ciphertextBlob()));
      checkKeyLength(op, arn, dekId, plaintext);
      return new GeneratedDataKey(SealingKey.of(dekId, plaintext), wrapped);
    });
  }

  @Override
  public void checkGenerateDataKey(String keyId, EncryptionContext context) {
    String op = "GenerateDataKey";
    requireWellFormed(op, keyId);
    try {
      call(op, keyId, null, kms -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)
          .encryptionContext(context.asMap()).dryRun(true)));
    } catch (KmsException e) {
      if (e.getCause() instanceof software.amazon.awssdk.services.kms.model.DryRunOperationException) {
        return; // "would have succeeded"
      }
      throw e;
    }
    throw new KmsRequestRejectedException(op, keyId, "KMS made a data key for a DryRun request");
  }

  @Override
  public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
    requireArgs(wrapped, dekId, context);
    String op = "Decrypt";
    String arn = wrapped.keyArn();
    requireKeyArn(op, arn, dekId.hex());
    // Naming the key makes KMS refuse a blob wrapped under any other key (IncorrectKeyException).
    DecryptResponse r = call(op, arn, dekId.hex(), kms -> kms.decrypt(b -> b
        .keyId(arn)
        .ciphertextBlob(SdkBytes.fromByteArray(wrapped.blob()))
        .encryptionContext(context.asMap())));
    return thenZero(sdkOwnedBytes(r.plaintext()), plaintext -> {
      if (!arn.equals(r.keyId())) {
        throw new KeyMismatchException(op, arn, "DEK " + dekId + ": KMS answered with key " + r.keyId()
            + " but the manifest says the DEK was wrapped under " + arn);
      }
      checkKeyLength(op, arn, dekId, plaintext);
      return OpeningKey.of(dekId, plaintext);
    });
  }

  @Override
  public GeneratedDomainKey generateDomainKey(String keyId, String domain, DekId id, EncryptionContext context) {
    requireArgs(keyId, id, context);
    Objects.requireNonNull(domain, "domain");
    String op = "GenerateDataKey";
    requireWellFormed(op, keyId);
    String what = "domain " + domain + " key " + id.hex();
    GenerateDataKeyResponse r = call(op, keyId, what, kms -> kms.generateDataKey(b -> b
        .keyId(keyId)
        .keySpec(DataKeySpec.AES_256)
        .encryptionContext(context.asMap())));
    return thenZero(sdkOwnedBytes(r.plaintext()), plaintext -> {
      String arn = answeredArn(op, keyId, r.keyId(), what);
      WrappedKey wrapped = new WrappedKey(arn, requireBlob(op, arn, r.ciphertextBlob()));
      checkKeyLength(op, arn, id, plaintext);
      return new GeneratedDomainKey(DomainKey.of(domain, id, plaintext), wrapped);
    });
  }

  @Override
  public DomainKey decryptDomainKey(WrappedKey wrapped, String domain, DekId id, EncryptionContext context) {
    requireArgs(wrapped, id, context);
    Objects.requireNonNull(domain, "domain");
    String op = "Decrypt";
    String arn = wrapped.keyArn();
    String what = "domain " + domain + " key " + id.hex();
    requireKeyArn(op, arn, what);
    DecryptResponse r = call(op, arn, what, kms -> kms.decrypt(b -> b
        .keyId(arn)
        .ciphertextBlob(SdkBytes.fromByteArray(wrapped.blob()))
        .encryptionContext(context.asMap())));
    return thenZero(sdkOwnedBytes(r.plaintext()), plaintext -> {
      if (!arn.equals(r.keyId())) {
        throw new KeyMismatchException(op, arn, what + ": KMS answered with key " + r.keyId()
            + " but the domain record says the key was wrapped under " + arn);
      }
      checkKeyLength(op, arn, id, plaintext);
      return DomainKey.of(domain, id, plaintext);
    });
  }

  @Override
  public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
    requireArgs(wrapped, destinationKeyId, context);
    String op = "ReEncrypt";
    String arn = wrapped.keyArn();
    String dek = context.get(EncryptionContext.DEK);
    if (dek == null && context.get(EncryptionContext.DOMAIN) != null) {
      // A domain key: errors name the domain and its key id instead of a DEK.
      dek = "domain " + context.get(EncryptionContext.DOMAIN) + " key " + context.get(EncryptionContext.DOMAIN_KEY);
    }
    requireKeyArn(op, arn, dek);
    requireWellFormed(op, destinationKeyId);
    ReEncryptResponse r = call(op, arn, dek, kms -> kms.reEncrypt(b -> b
        .ciphertextBlob(SdkBytes.fromByteArray(wrapped.blob()))
        .sourceKeyId(arn)
        .sourceEncryptionContext(context.asMap())
        .destinationKeyId(destinationKeyId)
        .destinationEncryptionContext(context.asMap())));
    // Both ends are checked: the source must be the key the manifest names, the destination the
    // key asked for, else the manifest would record a key that does not hold the DEK.
    if (!arn.equals(r.sourceKeyId())) {
      throw new KeyMismatchException(op, arn, AwsKmsAnswers.subject(dek) + "KMS says the source key was "
          + r.sourceKeyId() + " but the manifest says " + arn);
    }
    String newArn = answeredArn(op, destinationKeyId, r.keyId(), dek);
    return new WrappedKey(newArn, requireBlob(op, newArn, r.ciphertextBlob()));
  }

  @Override
  public GeneratedMac generateMac(String keyId, byte[] message) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(message, "message");
    String op = "GenerateMac";
    requireWellFormed(op, keyId);
    GenerateMacResponse r = call(op, keyId, null, kms -> kms.generateMac(b -> b
        .keyId(keyId)
        .message(SdkBytes.fromByteArray(message))
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)));
    String arn = answeredArn(op, keyId, r.keyId(), null);
    byte[] mac = r.mac() == null ? new byte[0] : r.mac().asByteArray();
    if (mac.length != GeneratedMac.LENGTH) {
      throw new KmsRequestRejectedException(op, arn, "KMS answered with a " + mac.length + "-byte MAC; "
          + GeneratedMac.ALGORITHM + " makes " + GeneratedMac.LENGTH);
    }
    return new GeneratedMac(arn, mac);
  }

  @Override
  public boolean verifyMac(String keyId, byte[] message, byte[] mac) {
    return verifyMacKey(keyId, message, mac) != null;
  }

  @Override
  public String verifyMacKey(String keyId, byte[] message, byte[] mac) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(mac, "mac");
    String op = "VerifyMac";
    requireWellFormed(op, keyId);
    // KMS says "no" with KMSInvalidMacException; every other error still throws.
    VerifyMacResponse r = call(op, keyId, null, kms -> {
      try {
        return kms.verifyMac(b -> b
            .keyId(keyId)
            .message(SdkBytes.fromByteArray(message))
            .mac(SdkBytes.fromByteArray(mac))
            .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256));
      } catch (KmsInvalidMacException e) {
        return null;
      }
    });
    if (r == null) {
      return null;
    }
    String arn = answeredArn(op, keyId, r.keyId(), null);
    return Boolean.TRUE.equals(r.macValid()) ? arn : null;
  }

  @Override
  public KeyDescription describeKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    String op = "DescribeKey";
    requireWellFormed(op, keyId);
    DescribeKeyResponse r = call(op, keyId, null, kms -> kms.describeKey(b -> b.keyId(keyId)));
    if (r.keyMetadata() == null) {
      throw new KeyMismatchException(op, keyId, "KMS answered without key metadata");
    }
    String arn = answeredArn(op, keyId, r.keyMetadata().arn(), null);
    return new KeyDescription(arn, KeyState.fromKmsName(r.keyMetadata().keyStateAsString()));
  }

  /**
   * The spec plus the access key id the client's credentials resolve to now (never the secret),
   * so a DEK cache never answers one principal with another's unwrap. Resolving uses the SDK's
   * cached credentials; it makes a network call only when they must be fetched or refreshed.
   */
  @Override
  public String identity() {
    client("Identity", "(none)");
    String accessKeyId;
    try {
      accessKeyId = credentialsInUse.resolveCredentials().accessKeyId();
    } catch (SdkException e) {
      throw new KeyUnavailableException("Identity", "(none)", "cannot resolve AWS credentials for " + spec, e);
    }
    return "aws|" + spec.region() + "|" + spec.endpoint() + "|" + spec.profile() + "|" + accessKeyId;
  }

  /** Closes the client and what was built for it; later calls fail. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly(client);
      closeQuietly(httpClient);
      closeQuietly(profileCredentials);
      closeQuietly(defaultCredentials);
      client = null;
    }
  }

  @Override
  public String toString() {
    return "AwsKms[" + spec + "]";
  }

  private <T> T call(String operation, String keyId, String dek, Function<KmsClient, T> request) {
    KmsClient kms = client(operation, keyId);
    try {
      return request.apply(kms);
    } catch (SdkException e) {
      throw AwsKmsErrors.translate(operation, keyId, dek, e);
    }
  }

  /** Double-checked: one client per instance, built by the first caller. */
  private KmsClient client(String operation, String keyId) {
    KmsClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the AWS KMS key service for " + spec + " is closed");
      }
      if (client == null) {
        try {
          httpClient = AwsKmsClients.httpClient(options);
          profileCredentials = AwsKmsClients.profileCredentials(spec, options);
          AwsCredentialsProvider credentials = profileCredentials != null ? profileCredentials : options.credentials();
          if (credentials == null) {
            defaultCredentials = DefaultCredentialsProvider.builder().build();
            credentials = defaultCredentials;
          }
          credentialsInUse = credentials;
          client = AwsKmsClients.kmsClient(spec, options, httpClient, credentials);
        } catch (RuntimeException e) {
          closeQuietly(httpClient);
          closeQuietly(profileCredentials);
          closeQuietly(defaultCredentials);
          httpClient = null;
          defaultCredentials = null;
          profileCredentials = null;
          if (e instanceof SdkException) {
            throw new KeyUnavailableException(operation, keyId,
                "cannot build the KMS client for " + spec + ": " + e.getMessage(), e);
          }
          throw e;
        }
      }
      return client;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // Closing releases connections; a failure here leaves nothing to undo.
    }
  }
}
