package io.columnseal.manifest;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * An S3 client (AWS SDK v2) for one bucket, set up from the same Hadoop keys s3a reads, so a
 * manifest commit goes where the s3a file system reads from. Each key is looked up per bucket
 * first ({@code fs.s3a.bucket.<bucket>.<key>}), as s3a does, then as {@code fs.s3a.<key>}:
 *
 * <ul>
 *   <li>{@code endpoint}: unset or {@code s3.amazonaws.com} means AWS S3 itself, with the SDK's
 *       own endpoint for the region and cross-region access (S3 redirects to the bucket's
 *       region). Anything else (a VPC endpoint, a test server) is used as is; without a scheme,
 *       {@code https://} unless {@code connection.ssl.enabled} is false.
 *   <li>{@code endpoint.region}: the signing region; else the SDK's default region chain
 *       (AWS_REGION, profile, instance metadata); else us-east-1.
 *   <li>{@code path.style.access}: path-style URLs (test servers, some VPC set-ups).
 *   <li>{@code access.key}, {@code secret.key}, optional {@code session.token}: static
 *       credentials, read with {@code Configuration.getPassword} so Hadoop credential
 *       providers work; when unset, the SDK's default chain (environment, profile, web
 *       identity, EC2/ECS role). Other s3a credential providers (assumed role, ...) are not
 *       mirrored.
 *   <li>{@code encryption.algorithm} (or the older {@code server-side-encryption-algorithm})
 *       with {@code encryption.key}: AES256 (SSE-S3) and SSE-KMS are sent with the PUT; SSE-C
 *       and client-side encryption are refused, since s3a could not read such a commit back.
 * </ul>
 *
 * <p>EMRFS ({@code s3://} on EMR) has its own keys; there these are usually unset and the
 * defaults (instance role, cluster region, bucket default encryption) apply.
 */
final class S3ClientSettings {
  static final String AWS_CENTRAL_ENDPOINT = "s3.amazonaws.com";
  static final String FALLBACK_REGION = "us-east-1";

  private S3ClientSettings() {}

  /** A new client for {@code bucket}; the caller closes it. */
  static S3Client client(Configuration conf, String bucket) throws IOException {
    S3ClientBuilder b = S3Client.builder();
    URI endpoint = endpoint(conf, bucket);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    } else {
      b.crossRegionAccessEnabled(true);
    }
    b.region(region(conf, bucket));
    b.forcePathStyle(Boolean.parseBoolean(get(conf, bucket, "path.style.access")));
    char[] access = password(conf, bucket, "access.key");
    char[] secret = password(conf, bucket, "secret.key");
    if (access != null && secret != null) {
      char[] token = password(conf, bucket, "session.token");
      b.credentialsProvider(StaticCredentialsProvider.create(token == null
          ? AwsBasicCredentials.create(new String(access), new String(secret))
          : AwsSessionCredentials.create(new String(access), new String(secret), new String(token))));
    }
    return b.build();
  }

  /** The endpoint to override the SDK's with, or null for AWS S3 itself. */
  static URI endpoint(Configuration conf, String bucket) {
    String endpoint = get(conf, bucket, "endpoint");
    if (endpoint == null || endpoint.equalsIgnoreCase(AWS_CENTRAL_ENDPOINT)) {
      return null;
    }
    if (!endpoint.contains("://")) {
      String ssl = get(conf, bucket, "connection.ssl.enabled");
      endpoint = (ssl == null || Boolean.parseBoolean(ssl) ? "https://" : "http://") + endpoint;
    }
    return URI.create(endpoint);
  }

  static Region region(Configuration conf, String bucket) {
    String region = get(conf, bucket, "endpoint.region");
    if (region != null) {
      return Region.of(region);
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      return Region.of(FALLBACK_REGION);
    }
  }

  /** Adds the server-side encryption s3a is configured with to a PUT. */
  static PutObjectRequest.Builder encryption(PutObjectRequest.Builder put, Configuration conf, String bucket)
      throws IOException {
    String algorithm = first(conf, bucket, "encryption.algorithm", "server-side-encryption-algorithm");
    if (algorithm == null) {
      return put;
    }
    switch (algorithm.toUpperCase(Locale.ROOT)) {
      case "AES256":
        return put.serverSideEncryption(ServerSideEncryption.AES256);
      case "SSE-KMS":
        String key = first(conf, bucket, "encryption.key", "server-side-encryption.key");
        put.serverSideEncryption(ServerSideEncryption.AWS_KMS);
        return key == null ? put : put.ssekmsKeyId(key);
      default:
        throw new IOException("fs.s3a encryption algorithm " + algorithm + " (bucket " + bucket
            + ") is not supported for manifest commits; use AES256 or SSE-KMS, or the bucket's default encryption");
    }
  }

  /** {@code fs.s3a.bucket.<bucket>.<key>}, else {@code fs.s3a.<key>}; null when unset or blank. */
  static String get(Configuration conf, String bucket, String key) {
    String v = conf.getTrimmed("fs.s3a.bucket." + bucket + "." + key);
    if (v == null || v.isEmpty()) {
      v = conf.getTrimmed("fs.s3a." + key);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  private static String first(Configuration conf, String bucket, String key, String olderKey) {
    String v = get(conf, bucket, key);
    return v != null ? v : get(conf, bucket, olderKey);
  }

  private static char[] password(Configuration conf, String bucket, String key) throws IOException {
    char[] v = conf.getPassword("fs.s3a.bucket." + bucket + "." + key);
    if (v == null || v.length == 0) {
      v = conf.getPassword("fs.s3a." + key);
    }
    return v == null || v.length == 0 ? null : v;
  }
}
