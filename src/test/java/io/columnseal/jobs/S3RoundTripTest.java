package io.columnseal.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.verify.VerifyJob;
import io.columnseal.jobs.verify.VerifyReport;
import io.columnseal.jobs.verify.VerifySettings;
import io.columnseal.testing.SharedS3;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * encrypt, verify and decrypt with every path on s3a (the shared S3Mock), as on EMR with
 * s3a:// paths: the CSV sample in, the encrypted dataset and its manifest, the plaintext out.
 * Only the keyring is local.
 *
 * <p>s3a needs nothing beyond {@link SharedS3#configure} here: the endpoint, path-style access,
 * the fake keys and the simple credentials provider, the region, no bucket probe, and kept
 * directory markers (see there why). Spark's default commit protocol renames task output on s3a
 * (a copy in S3), which is slow on real S3 for big outputs but fine for this sample.
 */
public class S3RoundTripTest {
  @TempDir
  public Path tmp;

  @Test
  public void csvSampleRoundTripOnS3IsExact() {
    SparkSession spark = JobTestKit.spark();
    SharedS3.configure(spark.sparkContext().hadoopConfiguration());
    String bucket = SharedS3.newBucket("roundtrip");
    SharedS3.client().putObject(b -> b.bucket(bucket).key("in/financial.csv"),
        RequestBody.fromFile(Paths.get(JobTestKit.SAMPLE_CSV)));
    String root = "s3a://" + bucket;
    JobTestKit kit = new JobTestKit(tmp);

    RunSummary run = EncryptJob.run(spark, kit.sampleCsv(root + "/cards_enc").inputPath(root + "/in/financial.csv").build());
    assertEquals(1000, run.rowsWritten);
    assertEquals(1L, run.manifestVersion);
    List<String> manifest = keys(bucket, "cards_enc/_columnseal/log/");
    assertEquals(List.of("cards_enc/_columnseal/log/00000000000000000001.json"), manifest);

    VerifyReport report = VerifyJob.run(spark, new VerifySettings(root + "/cards_enc", null, kit.keys, false, 5,
        JobTestKit.SENSITIVE, null));
    assertTrue(report.ok(), report.toTerminal());
    assertEquals(1000, report.rowsFound);
    assertEquals(run.cellsPerColumn.values().stream().mapToLong(Long::longValue).sum(), report.cellsChecked);
    assertEquals(run.deks, report.deksUnwrapped);

    DecryptJob.run(spark, kit.decryptTo(root + "/cards_enc", root + "/plain", "parquet"));
    Dataset<Row> expected = JobTestKit.sampleInput();
    Dataset<Row> decrypted = spark.read().parquet(root + "/plain");
    assertEquals(expected.schema(), decrypted.schema());
    assertEquals(JobTestKit.sorted(expected), JobTestKit.sorted(decrypted));
  }

  private static List<String> keys(String bucket, String prefix) {
    return SharedS3.client().listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }
}
