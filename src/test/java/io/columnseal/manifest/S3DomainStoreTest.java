package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.WrappedKey;
import io.columnseal.testing.SharedS3;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** Domain records on s3a: record 1 and each rewrap record are created with a conditional PUT. */
class S3DomainStoreTest {
  private static final String ARN = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000001";

  @Test
  void aSecondWriterOfRecordOneOnS3LosesAndReadsTheFirst() {
    Configuration conf = new Configuration();
    SharedS3.configure(conf);
    Path dir = new Path("s3a://" + SharedS3.newBucket("domains") + "/_columnseal_domains");
    DomainStore one = DomainStore.at(dir, conf);
    DomainStore two = DomainStore.at(dir, conf);
    DomainRecord first = one.createFirst("pan", DekId.fromLong(1), new WrappedKey(ARN, new byte[] {1})).orElseThrow();
    assertFalse(two.createFirst("pan", DekId.fromLong(2), new WrappedKey(ARN, new byte[] {2})).isPresent());
    assertEquals(first, two.latest("pan").orElseThrow());
    DomainRecord second = one.appendRewrap(first, new WrappedKey(ARN, new byte[] {3}));
    assertThrows(DomainRecordConflictException.class, () -> two.appendRewrap(first, new WrappedKey(ARN, new byte[] {4})));
    assertEquals(second, two.latest("pan").orElseThrow());
    assertTrue(two.latest("cards/name").isEmpty());
  }
}
