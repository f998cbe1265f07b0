package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.KeyGroups;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.StoredFiles;
import io.columnseal.jobs.decrypt.DecryptSettings;
import io.columnseal.jobs.dataset.RunSummary;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 1: names randomized under kms.key, card_number randomized under its own key,
 * pan_masked masked, cvv dropped. Rows come back exact, the manifest records each column's
 * policy, and each key group gets a DEK only in the partitions that have a cell for it.
 */
class ColumnPoliciesRoundTripTest {
  static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("names", DataTypes.StringType).add("card_number", DataTypes.StringType)
      .add("pan_masked", DataTypes.StringType).add("cvv", DataTypes.StringType);

  @TempDir
  Path tmp;

  /** Six rows in three partitions of two; the third partition has no card number. */
  static Dataset<Row> input(SparkSession spark) {
    List<Row> rows = List.of(
        RowFactory.create(1, "Ada Lovelace", "4111111111111111", "4111111111111111", "123"),
        RowFactory.create(2, "Alan Turing", "5500000000000004", "5500 0000 0000 0004", "456"),
        RowFactory.create(3, null, "340000000000009", "34000000", "789"),
        RowFactory.create(4, "Grace Hopper", "6011000000000004", null, null),
        RowFactory.create(5, "Edsger Dijkstra", null, "1234", "321"),
        RowFactory.create(6, "Barbara Liskov", null, "601100000000000", "654"));
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), SCHEMA);
  }

  static EncryptSettings settings(JobTestKit kit, String out) {
    return EncryptSettings.builder().datasetId("policies").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(out).policies(List.of(
            ColumnPolicy.randomized("names"),
            ColumnPolicy.of("card_number", "randomized", "alias/pan", Map.of()),
            ColumnPolicy.of("pan_masked", "mask", null, Map.of()),
            ColumnPolicy.of("cvv", "drop", null, Map.of())))
        .build();
  }

  static String createPanKey(JobTestKit kit) {
    try (LocalKeyring ring = LocalKeyring.createOrOpen(kit.keyringFile)) {
      String arn = ring.createKey("alias/pan", "card numbers").keyArn();
      kit.reloadKeys();
      return arn;
    }
  }

  @Test
  void namesUnderOneKeyCardsUnderAnotherMaskedAndDroppedComeBackExactly() {
    JobTestKit kit = new JobTestKit(tmp);
    String panArn = createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    RunSummary r = EncryptJob.run(spark, settings(kit, enc), input(spark));

    // Lazy DEKs per key group: names has cells in all 3 partitions, card_number in the first 2.
    ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration()).read()
        .orElseThrow();
    Map<String, Integer> deksPerGroup = new TreeMap<>();
    for (DekRecord d : m.deks().values()) {
      String group = d.encryptionContext().get(KeyGroups.CONTEXT_KEY);
      deksPerGroup.merge(group, 1, Integer::sum);
      assertEquals(group.equals("alias/pan") ? panArn : kit.keyArn, d.keyArn(), "DEK of group " + group);
    }
    assertEquals(Map.of("kms.key", 3, "alias/pan", 2), deksPerGroup);
    assertEquals(5L, r.kmsCalls.get("GenerateDataKey"));
    assertEquals(2L, r.kmsCalls.get("DescribeKey"), "one DescribeKey per distinct key");
    assertEquals(Map.of("kms.key", kit.keyArn, "alias/pan", panArn), r.keyGroups);
    assertTrue(r.toTerminal().contains("columns dropped (not written): cvv"), r.toTerminal());

    assertEquals(5, m.lastCommit().formatVersion());
    assertEquals(List.of(
        ColumnRecord.withPolicy("id", "int", true, false, "none", null, Map.of()),
        ColumnRecord.withPolicy("names", "string", true, true, "randomized", "kms.key", Map.of()),
        ColumnRecord.withPolicy("card_number", "string", true, true, "randomized", "alias/pan", Map.of()),
        ColumnRecord.withPolicy("pan_masked", "string", true, false, "mask", null, Map.of()),
        ColumnRecord.withPolicy("cvv", "string", true, false, "drop", null, Map.of())), m.schema());

    // The files hold no cvv, and pan_masked as its mask.
    Dataset<Row> stored = spark.read().parquet(enc);
    assertEquals(List.of("id", "names", "card_number", "pan_masked"), Arrays.asList(stored.columns()));

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(spark, kit.decryptTo(enc, out, "parquet"));
    Dataset<Row> decrypted = spark.read().parquet(out);
    assertEquals("struct<id:int,names:string,card_number:string,pan_masked:string>",
        decrypted.schema().simpleString(), "cvv is absent: dropped columns are not written");
    List<Row> expected = new ArrayList<>(List.of(
        RowFactory.create(1, "Ada Lovelace", "4111111111111111", "411111******1111"),
        RowFactory.create(2, "Alan Turing", "5500000000000004", "5500 0*********0004"),
        RowFactory.create(3, null, "340000000000009", "********"),
        RowFactory.create(4, "Grace Hopper", "6011000000000004", null),
        RowFactory.create(5, "Edsger Dijkstra", null, "****"),
        RowFactory.create(6, "Barbara Liskov", null, "***********0000")));
    assertEquals(expected, JobTestKit.sorted(decrypted));
  }

  /**
   * A card_number cell (DEK of group alias/pan) copied into names (group kms.key) is refused
   * naming column, file and row, for its key group, before its DEK is unwrapped.
   */
  @Test
  void aCellOfAnotherKeyGroupIsRefusedNamingColumnFileAndRow() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptSettings one = EncryptSettings.builder().datasetId("policies").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).partitions(1).policies(settings(kit, enc).policies).build();
    EncryptJob.run(spark, one, input(spark));
    Path file = StoredFiles.onlyDataFile(enc);
    StructType stored = StoredFiles.schema(spark, file);
    List<Row> rows = new ArrayList<>(StoredFiles.rows(spark, file));
    int row = -1;
    for (int i = 0; i < rows.size() && row < 0; i++) {
      if (!rows.get(i).isNullAt(1) && !rows.get(i).isNullAt(2)) {
        row = i;
      }
    }
    rows.set(row, StoredFiles.with(rows.get(row), 1, rows.get(row).getAs("card_number")));
    StoredFiles.replace(spark, file, stored, rows);

    String out = tmp.resolve("dec").toString();
    Exception e = assertThrows(Exception.class, () -> DecryptJob.run(spark, new DecryptSettings(enc, null, out,
        "parquet", List.of("names"), kit.keys, false)));
    assertTrue(e.getMessage().contains("column names") && e.getMessage().contains(file.getFileName().toString())
        && e.getMessage().contains("row " + row), e.getMessage());
    assertTrue(e.getMessage().contains("of key group alias/pan, but the column's key group is kms.key"),
        e.getMessage());
  }

  /** A rewrap to one key would put both key groups under it: refused before any KMS call. */
  @Test
  void aRewrapOfADatasetWithSeveralKeyGroupsIsRefused() {
    JobTestKit kit = new JobTestKit(tmp);
    createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, settings(kit, enc), input(spark));
    io.columnseal.jobs.InterceptedKeys kms = new io.columnseal.jobs.InterceptedKeys(
        io.columnseal.jobs.rewrap.RewrapJob.openKeyService(kit.keys, 1));
    ConfigException e = assertThrows(ConfigException.class, () -> io.columnseal.jobs.rewrap.RewrapJob.run(
        new Configuration(), io.columnseal.jobs.rewrap.RewrapSettings.builder(enc, "alias/pan").build(), kms));
    assertEquals("Cannot rewrap dataset policies: its columns are under 2 key groups [alias/pan, kms.key], and a"
        + " rewrap moves every DEK to one key, which would end access per key; a rewrap per key group is not built"
        + " yet", e.getMessage());
    assertEquals(0, kms.describes.get() + kms.decrypts.get() + kms.reEncrypts.get(), "no KMS call");
  }

  /** verify: the dataset as written is OK; a file that holds the dropped column is a finding. */
  @Test
  void verifyFindsADroppedColumnInAFile() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptSettings one = EncryptSettings.builder().datasetId("policies").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).partitions(1).policies(settings(kit, enc).policies).build();
    EncryptJob.run(spark, one, input(spark));
    io.columnseal.jobs.verify.VerifySettings shallow = new io.columnseal.jobs.verify.VerifySettings(enc, null, null,
        true, 0, List.of("names", "card_number"), null);
    io.columnseal.jobs.verify.VerifyReport ok = io.columnseal.jobs.verify.VerifyJob.run(spark, shallow);
    assertTrue(ok.ok(), ok.toTerminal());

    Path file = StoredFiles.onlyDataFile(enc);
    StructType stored = StoredFiles.schema(spark, file).add("cvv", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (Row r : StoredFiles.rows(spark, file)) {
      rows.add(RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), "000"));
    }
    StoredFiles.replace(spark, file, stored, rows);
    io.columnseal.jobs.verify.VerifyReport leak = io.columnseal.jobs.verify.VerifyJob.run(spark, shallow);
    assertFalse(leak.ok());
    assertTrue(leak.findings.stream().anyMatch(f -> f.check.equals("dropped-column") && f.message.equals("file "
        + file.getFileName() + " holds column cvv, which the manifest records as dropped (not to be stored)")),
        leak.toTerminal());
  }

  @Test
  void aMaskOnAColumnThatIsNotAStringIsRefusedBeforeAnyKeyIsUsed() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(spark, EncryptSettings.builder()
        .datasetId("policies").inputPath("(memory)").keyService(kit.keys).kmsKey("alias/nowhere").outputPath(enc)
        .policies(List.of(ColumnPolicy.randomized("names"), ColumnPolicy.of("id", "mask", null, Map.of()))).build(),
        input(spark)));
    assertEquals("Cannot set encrypt.columns entry id: protection mask needs a string column, and id is int",
        e.getMessage());
    assertFalse(java.nio.file.Files.exists(Path.of(enc)), "nothing written");
  }

  /**
   * An append whose mask options differ from the dataset's, even only by spelling out the default,
   * is refused by the plan (exit 2) before anything is written: the manifest commit would refuse
   * it after the data commit, leaving a pending record that stops every later append.
   */
  @Test
  void anAppendWhoseOptionsDifferIsRefusedBeforeAnythingIsWritten() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    java.util.function.BiFunction<Map<String, String>, OutputMode, EncryptSettings> spec = (show, mode) ->
        EncryptSettings.builder().datasetId("policies").inputPath("(memory)").keyService(kit.keys).kmsKey("alias/test")
            .outputPath(enc).mode(mode).allowRepeat(true).policies(List.of(ColumnPolicy.randomized("names"),
                ColumnPolicy.randomized("card_number"), ColumnPolicy.of("pan_masked", "mask", null, show),
                ColumnPolicy.of("cvv", "drop", null, Map.of()))).build();
    EncryptJob.run(spark, spec.apply(Map.of(), OutputMode.ERROR), input(spark));
    Configuration conf = new Configuration();
    int files = io.columnseal.jobs.dataset.DatasetFiles.dataFiles(conf, new org.apache.hadoop.fs.Path(enc)).size();

    ConfigException e = assertThrows(ConfigException.class,
        () -> EncryptJob.run(spark, spec.apply(Map.of("show", "first6last4"), OutputMode.APPEND), input(spark)));
    assertTrue(e.getMessage().startsWith("Cannot append to " + enc + ": the dataset has columns ["), e.getMessage());
    assertTrue(e.getMessage().contains("pan_masked:string(mask {show=first6last4})"), e.getMessage());
    assertEquals(files, io.columnseal.jobs.dataset.DatasetFiles.dataFiles(conf, new org.apache.hadoop.fs.Path(enc)).size(),
        "nothing written");
    assertFalse(java.nio.file.Files.exists(tmp.resolve("enc/_columnseal/_pending")) && tmp.resolve(
        "enc/_columnseal/_pending").toFile().list().length > 0, "no pending record");
    // The dataset's own spelling still appends.
    EncryptJob.run(spark, spec.apply(Map.of(), OutputMode.APPEND), input(spark));
    assertEquals(2, ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), conf).read().orElseThrow().version());
  }

  /**
   * docs/ROTATION.md step 1: new data goes under a new kms.key. The columns without their own key
   * form the group labelled kms.key, not the key it named, so the append keeps the dataset's shape.
   */
  @Test
  void anAppendAfterKmsKeyRotatesKeepsTheGroupAndSealsUnderTheNewKey() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    createPanKey(kit);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, settings(kit, enc), input(spark));
    String newArn;
    try (LocalKeyring ring = LocalKeyring.createOrOpen(kit.keyringFile)) {
      newArn = ring.createKey("alias/test-2027", "names, 2027").keyArn();
      kit.reloadKeys();
    }
    EncryptSettings s = settings(kit, enc);
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("policies").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test-2027").outputPath(enc).mode(OutputMode.APPEND).allowRepeat(true).policies(s.policies)
        .build(), input(spark));
    ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration()).read()
        .orElseThrow();
    assertEquals(2, m.version());
    long underNew = m.lastCommit().addedDeks().stream().filter(d -> d.keyArn().equals(newArn)).count();
    assertEquals(3, underNew, "the appended names DEKs are under the new key");
    assertTrue(m.lastCommit().addedDeks().stream().filter(d -> d.keyArn().equals(newArn))
        .allMatch(d -> "kms.key".equals(d.encryptionContext().get(KeyGroups.CONTEXT_KEY))));
  }
}
