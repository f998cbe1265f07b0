package io.columnseal.manifest;

import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Create-if-absent on S3 ({@code s3a://}, and {@code s3://} as EMRFS names it): one PUT with
 * {@code If-None-Match: *}. S3 conditional writes are atomic: of concurrent PUTs to a key that
 * does not exist, the first to complete succeeds and the others get 412 Precondition Failed, and
 * a PUT to an existing key always gets 412. A PUT is all or nothing, so readers never see a
 * partial commit and there is no temp object to clean up.
 *
 * <p>The PUT goes through the AWS SDK directly, with a client set up from the file system's
 * s3a keys ({@link S3ClientSettings}); s3a 3.3's own create cannot send the header. It reads
 * back through s3a like any other file. One client per call, closed after it: a run commits
 * once (plus any conflict retries), on the driver, so nothing is worth keeping open.
 */
final class S3ConditionalCreate implements AtomicCreate {
  /** 409 ConditionalRequestConflict: another request on the key was in flight; S3 asks for a retry. */
  private static final int CONFLICT_ATTEMPTS = 3;

  @Override
  public boolean createIfAbsent(FileSystem fs, Path target, byte[] content) throws IOException {
    URI uri = fs.makeQualified(target).toUri();
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    String key = uri.getPath().substring(1);
    Configuration conf = fs.getConf();
    PutObjectRequest put = S3ClientSettings.encryption(PutObjectRequest.builder(), conf, bucket)
        .bucket(bucket).key(key).ifNoneMatch("*").contentType("application/json").build();
    try (S3Client s3 = S3ClientSettings.client(conf, bucket)) {
      for (int attempt = 1; ; attempt++) {
        try {
          s3.putObject(put, RequestBody.fromBytes(content));
          return true;
        } catch (S3Exception e) {
          if (e.statusCode() == 412) {
            // The SDK retries a PUT whose response was lost; if the first attempt landed, the
            // retry meets our own object. Commit bytes name the run and time: equal bytes are ours.
            return Arrays.equals(readOrNull(s3, bucket, key), content);
          }
          if (e.statusCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
            throw failed(uri, e);
          }
        }
      }
    } catch (SdkException e) {
      throw failed(uri, e);
    }
  }

  private static byte[] readOrNull(S3Client s3, String bucket, String key) {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    } catch (NoSuchKeyException e) {
      return null; // deleted since: not ours either way
    }
  }

  private static IOException failed(URI target, SdkException e) {
    String code = e instanceof S3Exception && ((S3Exception) e).awsErrorDetails() != null
        ? " (HTTP " + ((S3Exception) e).statusCode() + " " + ((S3Exception) e).awsErrorDetails().errorCode() + ")" : "";
    return new IOException("conditional PUT of " + target + " failed" + code, e);
  }
}
