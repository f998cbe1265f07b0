package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.testing.SharedS3;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The S3 create-if-absent against the shared S3Mock, and how it reads the s3a settings. */
class S3ConditionalCreateTest {
  private static final byte[] FIRST = "first\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SECOND = "second\n".getBytes(StandardCharsets.UTF_8);

  private final AtomicCreate create = new S3ConditionalCreate();
  private Configuration conf;
  private String bucket;
  private FileSystem fs;

  @BeforeEach
  void bucket() throws IOException {
    conf = new Configuration();
    SharedS3.configure(conf);
    bucket = SharedS3.newBucket("atomic-create");
    fs = new Path("s3a://" + bucket + "/").getFileSystem(conf);
  }

  @Test
  void createsOnceAndNeverReplaces() throws IOException {
    Path target = new Path("s3a://" + bucket + "/ds/_columnseal/log/00000000000000000001.json");
    assertTrue(create.createIfAbsent(fs, target, FIRST));
    assertFalse(create.createIfAbsent(fs, target, SECOND));
    assertArrayEquals(FIRST, object("ds/_columnseal/log/00000000000000000001.json"));
    assertEquals(List.of("ds/_columnseal/log/00000000000000000001.json"), keys("ds/"), "no temp object");
    // s3a reads it back like any file.
    try (var in = fs.open(target)) {
      assertArrayEquals(FIRST, in.readAllBytes());
    }
  }

  /** A 412 that meets exactly our bytes is our own earlier attempt (a PUT retried after a lost response). */
  @Test
  void theSameBytesAlreadyThereCountAsCreated() throws IOException {
    Path target = new Path("s3a://" + bucket + "/log/00000000000000000001.json");
    assertTrue(create.createIfAbsent(fs, target, FIRST));
    assertTrue(create.createIfAbsent(fs, target, FIRST.clone()));
    assertFalse(create.createIfAbsent(fs, target, SECOND));
  }

  @Test
  void aMissingBucketFailsAndNamesTheTarget() throws IOException {
    Path target = new Path("s3a://no-such-bucket-columnseal/log/00000000000000000001.json");
    FileSystem other = target.getFileSystem(conf);
    IOException e = assertThrows(IOException.class, () -> create.createIfAbsent(other, target, FIRST));
    assertTrue(e.getMessage().contains("s3a://no-such-bucket-columnseal/log/00000000000000000001.json"), e.getMessage());
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
  }

  @Test
  void customerKeyEncryptionIsRefusedBeforeAnyWrite() throws IOException {
    conf.set("fs.s3a.bucket." + bucket + ".encryption.algorithm", "SSE-C");
    // s3a wants a 256-bit key to start; a made-up one, never sent anywhere.
    conf.set("fs.s3a.bucket." + bucket + ".encryption.key",
        Base64.getEncoder().encodeToString("not-a-real-key-only-32-bytes-ok!".getBytes(StandardCharsets.US_ASCII)));
    FileSystem sseC = FileSystem.newInstance(URI.create("s3a://" + bucket + "/"), conf);
    try {
      Path target = new Path("s3a://" + bucket + "/log/00000000000000000001.json");
      IOException e = assertThrows(IOException.class, () -> create.createIfAbsent(sseC, target, FIRST));
      assertTrue(e.getMessage().contains("SSE-C"), e.getMessage());
      assertEquals(List.of(), keys(""));
    } finally {
      sseC.close();
    }
  }

  @Test
  void endpointFromTheS3aKeysPerBucketFirst() {
    Configuration c = new Configuration(false);
    assertNull(S3ClientSettings.endpoint(c, "b"), "unset: AWS S3 itself");
    c.set("fs.s3a.endpoint", "s3.amazonaws.com");
    assertNull(S3ClientSettings.endpoint(c, "b"), "the central endpoint: AWS S3 itself");
    c.set("fs.s3a.endpoint", "bucket.vpce-0a1b.s3.eu-west-1.vpce.amazonaws.com");
    assertEquals(URI.create("https://bucket.vpce-0a1b.s3.eu-west-1.vpce.amazonaws.com"), S3ClientSettings.endpoint(c, "b"));
    c.set("fs.s3a.bucket.b.endpoint", "minio.internal:9000");
    c.set("fs.s3a.bucket.b.connection.ssl.enabled", "false");
    assertEquals(URI.create("http://minio.internal:9000"), S3ClientSettings.endpoint(c, "b"));
    assertEquals(URI.create("https://bucket.vpce-0a1b.s3.eu-west-1.vpce.amazonaws.com"),
        S3ClientSettings.endpoint(c, "other"));
    c.set("fs.s3a.endpoint", "http://127.0.0.1:9090");
    assertEquals(URI.create("http://127.0.0.1:9090"), S3ClientSettings.endpoint(c, "other"));
  }

  @Test
  void regionFromTheS3aKeysPerBucketFirst() {
    Configuration c = new Configuration(false);
    c.set("fs.s3a.endpoint.region", "eu-west-1");
    c.set("fs.s3a.bucket.lake.endpoint.region", "eu-central-1");
    assertEquals(Region.EU_WEST_1, S3ClientSettings.region(c, "landing"));
    assertEquals(Region.EU_CENTRAL_1, S3ClientSettings.region(c, "lake"));
  }

  @Test
  void serverSideEncryptionFollowsS3a() throws IOException {
    Configuration c = new Configuration(false);
    assertNull(S3ClientSettings.encryption(PutObjectRequest.builder(), c, "b").build().serverSideEncryption());
    c.set("fs.s3a.server-side-encryption-algorithm", "AES256");
    assertEquals(ServerSideEncryption.AES256,
        S3ClientSettings.encryption(PutObjectRequest.builder(), c, "b").build().serverSideEncryption());
    c.set("fs.s3a.encryption.algorithm", "SSE-KMS");
    c.set("fs.s3a.encryption.key", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    PutObjectRequest kms = S3ClientSettings.encryption(PutObjectRequest.builder(), c, "b").build();
    assertEquals(ServerSideEncryption.AWS_KMS, kms.serverSideEncryption());
    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", kms.ssekmsKeyId());
    c.set("fs.s3a.bucket.b.encryption.algorithm", "CSE-KMS");
    assertThrows(IOException.class, () -> S3ClientSettings.encryption(PutObjectRequest.builder(), c, "b"));
  }

  private byte[] object(String key) {
    return SharedS3.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  private List<String> keys(String prefix) {
    return SharedS3.client().listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }
}
