package io.columnseal.jobs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.encrypt.ColumnPolicy;
import io.columnseal.jobs.encrypt.EncryptJob;
import io.columnseal.jobs.encrypt.EncryptSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 item 3: verify knows deterministic, fpe and token columns. */
class ProtectedColumnsVerifyTest {
  @TempDir
  Path tmp;

  static Dataset<Row> input(SparkSession spark) {
    return spark.range(0, 8).selectExpr("id", "concat('41111111', lpad(CAST(id AS STRING), 8, '0')) AS card",
        "concat('name-', id % 3) AS name", "concat('acct-', id) AS account",
        "concat('55000000', lpad(CAST(id AS STRING), 8, '0')) AS pan_mask");
  }

  String encrypt(JobTestKit kit, String dataset, String detDomain) {
    String enc = tmp.resolve(dataset).toString();
    EncryptJob.run(JobTestKit.spark(), EncryptSettings.builder().datasetId(dataset).inputPath("(memory)")
        .keyService(kit.keys).kmsKey("alias/test").outputPath(enc).partitions(1)
        .domainStore(tmp.resolve("domains").toString()).policies(List.of(
            ColumnPolicy.of("name", "deterministic", null, Map.of("domain", detDomain)),
            ColumnPolicy.of("card", "fpe", null, Map.of()),
            ColumnPolicy.of("account", "token", null, Map.of("bytes", "8")),
            ColumnPolicy.of("pan_mask", "mask", null, Map.of("show", "last4")))).build(), input(JobTestKit.spark()));
    return enc;
  }

  VerifyReport verify(JobTestKit kit, String enc) {
    return VerifyJob.run(JobTestKit.spark(), new VerifySettings(enc, null, kit.keys, false, 3, List.of(), null, null, null,
        tmp.resolve("domains").toString()));
  }

  /** The findings about values (a rewritten file is also a file-size finding). */
  static List<VerifyReport.Finding> cellFindings(VerifyReport r) {
    List<VerifyReport.Finding> out = new ArrayList<>(r.findings);
    assertTrue(out.removeIf(x -> x.check.equals("file-size")), r.toTerminal());
    return out;
  }

  @Test
  void aGoodDatasetIsCleanAndItsSamplesDecrypt() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "v", "names");
    VerifyReport r = verify(kit, enc);
    assertTrue(r.ok(), r.toTerminal());
    assertEquals(32, r.cellsChecked, "8 rows x 4 protected columns (mask included)");
    assertEquals(6, r.samplesDecrypted, "3 per file for deterministic and for fpe; tokens have no sample");
  }

  @Test
  void aTamperedTokenIsAProtectionShapeFinding() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "v", "names");
    SparkSession spark = JobTestKit.spark();
    Path file = StoredFiles.onlyDataFile(enc);
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    int acc = schema.fieldIndex("account");
    rows.set(2, StoredFiles.with(rows.get(2), acc, "acct-2"));
    StoredFiles.replace(spark, file, schema, rows);
    List<VerifyReport.Finding> f = cellFindings(verify(kit, enc));
    assertEquals(1, f.size(), f.toString());
    assertEquals("protection-shape", f.get(0).check);
    assertTrue(f.get(0).message.startsWith("column account in ")
        && f.get(0).message.endsWith(" holds a value that is not a token of 8 bytes (lower-case hex)"),
        f.get(0).message);
  }

  @Test
  void aDeterministicCellOfAnotherDomainIsAFinding() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "v", "names");
    String other = encrypt(kit, "w", "other-names");
    SparkSession spark = JobTestKit.spark();
    Path file = StoredFiles.onlyDataFile(enc);
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    List<Row> foreign = StoredFiles.rows(spark, StoredFiles.onlyDataFile(other));
    int name = schema.fieldIndex("name");
    rows.set(1, StoredFiles.with(rows.get(1), name, foreign.get(1).get(name)));
    StoredFiles.replace(spark, file, schema, rows);
    List<VerifyReport.Finding> f = cellFindings(verify(kit, enc));
    assertEquals(1, f.size(), f.toString());
    assertEquals("cells", f.get(0).check);
    assertTrue(f.get(0).message.contains("holds a deterministic cell of domain key ")
        && f.get(0).message.contains("that the manifest records"), f.get(0).message);
  }

  @Test
  void aValueThatIsNotItsMaskIsAProtectionShapeFinding() {
    JobTestKit kit = new JobTestKit(tmp);
    String enc = encrypt(kit, "v", "names");
    SparkSession spark = JobTestKit.spark();
    Path file = StoredFiles.onlyDataFile(enc);
    StructType schema = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    int mask = schema.fieldIndex("pan_mask");
    assertEquals("************0003", rows.get(3).getString(mask), "as encrypt wrote it");
    rows.set(3, StoredFiles.with(rows.get(3), mask, "550000******0003"));
    StoredFiles.replace(spark, file, schema, rows);
    List<VerifyReport.Finding> f = cellFindings(verify(kit, enc));
    assertEquals(1, f.size(), f.toString());
    assertEquals("protection-shape", f.get(0).check);
    assertTrue(f.get(0).message.startsWith("column pan_mask in ")
        && f.get(0).message.endsWith(" holds a value that is not a last4 mask"), f.get(0).message);
  }
}
