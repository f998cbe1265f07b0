package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.crypto.protect.Tokenizer;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.decrypt.DecryptJob;
import io.columnseal.jobs.domain.DomainKeyException;
import io.columnseal.manifest.ColumnRecord;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 * Issue 14 items 2 and 3 end to end: deterministic over every type, fpe of card numbers (BIN
 * and last four kept, valid Luhn) and token columns go through encrypt and decrypt; the
 * reversible ones come back exact with their types, tokens stay as written.
 */
class DomainProtectionsRoundTripTest {
  static final String[] TYPED = {
      "CASE WHEN id = 3 THEN NULL ELSE concat('name-', id % 5) END AS s", "id % 2 = 0 AS b",
      "CAST(id AS TINYINT) AS t", "CAST(id * 300 AS SMALLINT) AS sm", "CAST(id * 70000 AS INT) AS i",
      "id * 1000000007 AS l", "CAST(id / 3 AS FLOAT) AS f", "id / 7 AS d", "CAST(id * 1.25 AS DECIMAL(9,2)) AS dec9",
      "CAST(id * 12345678901234.5 AS DECIMAL(30,6)) AS dec30", "date_add(DATE'2026-01-01', CAST(id AS INT)) AS dt",
      "timestamp_micros(1767261600123456 + id * 1000001) AS ts", "CAST(concat('b', id) AS BINARY) AS bin"};
  static final List<String> TYPED_NAMES = List.of("s", "b", "t", "sm", "i", "l", "f", "d", "dec9", "dec30", "dt", "ts",
      "bin");

  @TempDir
  Path tmp;

  /** A Luhn-valid 16-digit card number made from {@code n}. */
  static String pan(String bin, long n) {
    String body = bin + String.format("%09d", n);
    int sum = 0;
    for (int i = 0; i < 15; i++) {
      int d = body.charAt(14 - i) - '0';
      if (i % 2 == 0) {
        d *= 2;
        d = d > 9 ? d - 9 : d;
      }
      sum += d;
    }
    return body + (10 - sum % 10) % 10;
  }

  static Dataset<Row> cards(SparkSession spark, int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create((long) i, i == 4 ? null : pan("411111", 1000L + i % 7), "acct-" + (i % 3)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType).add("card_number", DataTypes.StringType)
        .add("account", DataTypes.StringType);
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), schema);
  }

  static Dataset<Row> input(SparkSession spark) {
    Dataset<Row> typed = spark.range(0, 12).selectExpr(concat("id", TYPED));
    return typed.join(cards(spark, 12), "id").repartition(3);
  }

  private static String[] concat(String first, String[] rest) {
    String[] out = new String[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  static List<ColumnPolicy> policies() {
    List<ColumnPolicy> p = new ArrayList<>();
    for (String c : TYPED_NAMES) {
      p.add(ColumnPolicy.of(c, "deterministic", null, Map.of()));
    }
    p.add(ColumnPolicy.of("card_number", "fpe", null, Map.of("keepFirst", "6", "keepLast", "4", "luhn", "true")));
    p.add(ColumnPolicy.of("account", "token", null, Map.of()));
    return p;
  }

  EncryptSettings.Builder settings(JobTestKit kit, String out) {
    return EncryptSettings.builder().datasetId("domains").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(out).policies(policies());
  }

  @Test
  void deterministicFpeAndTokenRoundTripExactly() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> in = input(spark);
    List<Row> plain = JobTestKit.sorted(in);
    EncryptJob.run(spark, settings(kit, enc).build(), in);

    Dataset<Row> stored = spark.read().parquet(enc);
    assertEquals(DataTypes.BinaryType, stored.schema().apply("i").dataType());
    assertEquals(DataTypes.StringType, stored.schema().apply("card_number").dataType());
    assertEquals(DataTypes.StringType, stored.schema().apply("account").dataType());
    // Equal values, equal cells across partitions: 5 distinct names give 5 distinct cells.
    assertEquals(5L, stored.select("s").where("s IS NOT NULL").distinct().count());
    for (Row r : stored.select("id", "card_number", "account").collectAsList()) {
      long id = r.getLong(0);
      if (id == 4) {
        assertTrue(r.isNullAt(1), "null stays null");
        continue;
      }
      String p = pan("411111", 1000L + id % 7);
      String c = r.getString(1);
      assertEquals(16, c.length());
      assertEquals(p.substring(0, 6), c.substring(0, 6), "BIN kept");
      assertEquals(p.substring(12), c.substring(12), "last four kept");
      assertNotEquals(p, c, "middle digits encrypted");
      assertTrue(Tokenizer.hasTokenShape(r.getString(2), Tokenizer.DEFAULT_TOKEN_BYTES), r.getString(2));
    }
    assertEquals(3L, stored.select("account").distinct().count(), "tokens are joinable: 3 accounts, 3 tokens");

    ManifestState m = ManifestStore.at(new org.apache.hadoop.fs.Path(enc, "_columnseal"), new Configuration()).read()
        .orElseThrow();
    ColumnRecord card = m.schema().stream().filter(c -> c.name().equals("card_number")).findFirst().orElseThrow();
    assertEquals("fpe", card.protection());
    assertEquals("domains/card_number", card.options().get("domain"));
    assertTrue(card.options().get("domainKeyId").matches("[0-9a-f]{16}"), card.options().toString());
    assertTrue(m.deks().isEmpty(), "no randomized column: no DEK, no GenerateDataKey per partition");

    String out = tmp.resolve("dec").toString();
    DecryptJob.run(spark, kit.decryptTo(enc, out, "parquet"));
    Dataset<Row> decrypted = spark.read().parquet(out);
    assertEquals(in.schema().simpleString(), decrypted.schema().simpleString(), "types restored");
    List<Row> tokens = new ArrayList<>();
    for (Row r : stored.select("id", "account").collectAsList()) {
      tokens.add(r);
    }
    Map<Long, String> tokenOf = new java.util.HashMap<>();
    tokens.forEach(r -> tokenOf.put(r.getLong(0), r.getString(1)));
    List<Row> expected = new ArrayList<>();
    int acc = in.schema().fieldIndex("account");
    for (Row r : plain) {
      Object[] v = new Object[r.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = i == acc ? tokenOf.get(r.getLong(0)) : r.get(i);
      }
      expected.add(RowFactory.create(v));
    }
    assertEquals(rowsAsText(expected), rowsAsText(JobTestKit.sorted(decrypted.select(
        Arrays.stream(in.columns()).map(decrypted::col).toArray(org.apache.spark.sql.Column[]::new)))));
  }

  /** Binary values compare by content, not array identity. */
  static List<String> rowsAsText(List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        Object v = r.get(i);
        b.append(v instanceof byte[] ? Arrays.toString((byte[]) v) : String.valueOf(v)).append('|');
      }
      out.add(b.toString());
    }
    out.sort(null);
    return out;
  }

  @Test
  void aNonDigitFpeValueFailsTheRunNamingTheColumnNotTheValue() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    List<Row> rows = List.of(RowFactory.create(1L, "4111111111111111"), RowFactory.create(2L, "4111-1111-1111-1111"));
    Dataset<Row> in = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
        .add("card_number", DataTypes.StringType));
    EncryptSettings s = EncryptSettings.builder().datasetId("bad").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(tmp.resolve("enc").toString())
        .policies(List.of(ColumnPolicy.of("card_number", "fpe", null, Map.of()))).build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> EncryptJob.run(spark, s, in));
    assertTrue(e.getMessage().contains("column card_number has a byte other than 0-9 at position 5 of 19"),
        e.getMessage());
    assertFalse(e.getMessage().contains("4111"), "no value in the message: " + e.getMessage());
    assertFalse(new java.io.File(tmp.resolve("enc/_columnseal").toString()).list() != null
        && Arrays.stream(new java.io.File(tmp.resolve("enc/_columnseal").toString()).list())
            .anyMatch(f -> f.matches("\\d+\\.json")), "nothing committed");
  }

  @Test
  void fpeOrTokenOnANonStringColumnIsAConfigErrorNamingIt() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    Dataset<Row> in = spark.range(0, 3).selectExpr("id", "CAST(id AS INT) AS pin");
    for (String protection : List.of("fpe", "token")) {
      EncryptSettings s = EncryptSettings.builder().datasetId("bad").inputPath("(memory)").keyService(kit.keys)
          .kmsKey("alias/test").outputPath(tmp.resolve("enc-" + protection).toString())
          .policies(List.of(ColumnPolicy.of("pin", protection, null, Map.of()))).build();
      ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(spark, s, in));
      assertTrue(e.getMessage().startsWith("Cannot set encrypt.columns entry pin: protection " + protection
          + " needs a string column, and pin is int"), e.getMessage());
    }
  }

  @Test
  void oneDomainUnderTwoProtectionsIsAConfigError() {
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptSettings.builder().datasetId("bad")
        .inputPath("x").keyService(new JobTestKit(tmp).keys).kmsKey("alias/test").outputPath("y")
        .policies(List.of(ColumnPolicy.of("a", "deterministic", null, Map.of("domain", "pan")),
            ColumnPolicy.of("b", "token", null, Map.of("domain", "pan")))).build());
    assertEquals("Cannot set encrypt.columns entry b: domain pan is already used by column a with protection"
        + " deterministic; a domain serves one protection, so give b another domain", e.getMessage());
  }

  @Test
  void anAppendWhoseDomainHasAnotherKeyIsRefused() throws Exception {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    String store = tmp.resolve("domains").toString();
    List<ColumnPolicy> pol = List.of(ColumnPolicy.of("card_number", "deterministic", null, Map.of("domain", "pan")));
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("cards").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).domainStore(store).policies(pol).build(), cards(spark, 4).select("id",
            "card_number"));
    // The domain store now holds another domain "pan" (as if replaced): its record names another key.
    java.nio.file.Path storePath = Path.of(store);
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(storePath)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    DomainKeyException e = assertThrows(DomainKeyException.class, () -> EncryptJob.run(spark,
        EncryptSettings.builder().datasetId("cards").inputPath("(memory)").keyService(kit.keys).kmsKey("alias/test")
            .outputPath(enc).mode(OutputMode.APPEND).domainStore(store).policies(pol).build(),
        cards(spark, 4).select("id", "card_number")));
    assertTrue(e.getMessage().startsWith("column card_number: domain pan has no record in domain store"), e.getMessage());
    assertTrue(e.getMessage().contains("refusing to make a new key for it"), e.getMessage());
  }

  /** rewrap moves the dataset's DEKs and says, in one line, which domain keys it leaves to rewrap --domain. */
  @Test
  void aRewrapNamesTheDomainsItDoesNotMove() {
    JobTestKit kit = new JobTestKit(tmp);
    try (io.columnseal.kms.LocalKeyring ring = io.columnseal.kms.LocalKeyring.open(kit.keyringFile)) {
      ring.createKey("alias/next", "rotation target");
    }
    kit.reloadKeys();
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("cards").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).domainStore(tmp.resolve("domains").toString()).policies(List.of(
            ColumnPolicy.randomized("account"),
            ColumnPolicy.of("card_number", "deterministic", null, Map.of("domain", "pan")))).build(),
        cards(spark, 6));
    io.columnseal.jobs.rewrap.RewrapReport r = io.columnseal.jobs.rewrap.RewrapJob.run(new Configuration(),
        io.columnseal.jobs.rewrap.RewrapSettings.builder(enc, "alias/next").build(),
        io.columnseal.jobs.rewrap.RewrapJob.openKeyService(kit.keys, 1));
    assertEquals(List.of("card_number in pan"), r.domains);
    assertTrue(r.toTerminal().contains("\n  domain keys not moved by this rewrap: card_number in pan (rewrap --domain"
        + " DOMAIN for each)\n"), r.toTerminal());
  }

  /** An append may not change a column's protection (its domain serves one protection). */
  @Test
  void anAppendWithAnotherProtectionOfTheColumnIsRefused() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    String store = tmp.resolve("domains").toString();
    EncryptJob.run(spark, EncryptSettings.builder().datasetId("cards").inputPath("(memory)").keyService(kit.keys)
        .kmsKey("alias/test").outputPath(enc).domainStore(store).policies(List.of(
            ColumnPolicy.of("card_number", "deterministic", null, Map.of("domain", "pan")))).build(),
        cards(spark, 4).select("id", "card_number"));
    ConfigException e = assertThrows(ConfigException.class, () -> EncryptJob.run(spark, EncryptSettings.builder()
        .datasetId("cards").inputPath("(memory)").keyService(kit.keys).kmsKey("alias/test").outputPath(enc)
        .mode(OutputMode.APPEND).domainStore(store).policies(List.of(
            ColumnPolicy.of("card_number", "token", null, Map.of("domain", "pan")))).build(),
        cards(spark, 4).select("id", "card_number")));
    assertEquals("Cannot append to " + enc + ": the dataset has columns [id:bigint, card_number:string*(deterministic"
        + " kms.key)] but this input and encrypt.columns give [id:bigint, card_number:string*(token kms.key)]"
        + " (name:type, * = encrypted)", e.getMessage());
  }

  /** Issue 15 on issue 14's columns: the data source restores deterministic and fpe values and gives tokens as written, like decrypt. */
  @Test
  void theDataSourceReadsDeterministicFpeAndTokenColumnsAsDecryptDoes() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> in = input(spark);
    EncryptJob.run(spark, settings(kit, enc).build(), in);
    String out = tmp.resolve("dec").toString();
    DecryptJob.run(spark, kit.decryptTo(enc, out, "parquet"));
    Dataset<Row> decrypted = spark.read().parquet(out);
    Dataset<Row> read = spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString()).load(enc);
    assertEquals(decrypted.schema().simpleString(), read.schema().simpleString());
    assertEquals(JobTestKit.sorted(decrypted), JobTestKit.sorted(read));
    // Selecting the token column alone opens nothing: it is read as written.
    assertEquals(JobTestKit.sorted(decrypted.select("id", "account")), JobTestKit.sorted(read.select("id", "account")));
  }

  /**
   * Issue 15 item 4: {@code =} on a deterministic or fpe string column is compared as stored cells
   * (the literal sealed once on the driver), handled by the scan, and equals the plain filter.
   */
  @Test
  void equalityOnDeterministicAndFpeColumnsIsComparedAsCellsAndEqualsThePlainFilter() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> in = input(spark);
    EncryptJob.run(spark, settings(kit, enc).build(), in);
    Dataset<Row> read = spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString()).load(enc);
    String name = in.where("s IS NOT NULL").select("s").first().getString(0);
    String card = in.where("card_number IS NOT NULL").select("card_number").first().getString(0);
    for (String where : List.of("s = '" + name.replace("'", "\\'") + "'", "s = 'nobody at all'",
        "card_number = '" + card + "'", "card_number = '4111110000000000'", "card_number = 'not digits'",
        "card_number = '" + card + "' AND id > 2")) {
      assertEquals(JobTestKit.sorted(in.where(where).select("id")), JobTestKit.sorted(read.where(where).select("id")),
          where);
    }
    // No row that does not match is opened: every cell of another name, made unreadable in place
    // (same size), leaves the equality's answer unchanged, while reading the column fails on it.
    String other = in.where("s IS NOT NULL AND s <> '" + name.replace("'", "\\'") + "'").select("s").first()
        .getString(0);
    long otherId = in.where("s = '" + other.replace("'", "\\'") + "'").select("id").first().getLong(0);
    byte[] cell = spark.read().parquet(enc).where("id = " + otherId).select("s").first().getAs(0);
    assertTrue(io.columnseal.jobs.StoredFiles.flipInEveryDataFile(enc, cell) > 0, "the cell is stored verbatim");
    Dataset<Row> damaged = spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString()).load(enc);
    String where = "s = '" + name.replace("'", "\\'") + "'";
    assertEquals(JobTestKit.sorted(in.where(where).select("id")), JobTestKit.sorted(damaged.where(where).select("id")));
    Exception e = assertThrows(Exception.class, () -> damaged.select("s").collectAsList());
    io.columnseal.jobs.decrypt.UnreadableCellException ours = org.junit.jupiter.api.Assertions.assertInstanceOf(
        io.columnseal.jobs.decrypt.UnreadableCellException.class, BadInputTest.ours(e), String.valueOf(e));
    assertEquals("s", ours.column());
  }

  /**
   * Issue 15 item 4: {@code IN (...)} and {@code <=>} on deterministic and fpe string columns are
   * compared as stored cells like {@code =}, handled by the scan, and equal the plain filter.
   */
  @Test
  void inListsAndNullSafeEqualityOnDeterministicAndFpeColumnsAreComparedAsCells() {
    JobTestKit kit = new JobTestKit(tmp);
    SparkSession spark = JobTestKit.spark();
    String enc = tmp.resolve("enc").toString();
    Dataset<Row> in = input(spark);
    EncryptJob.run(spark, settings(kit, enc).build(), in);
    Dataset<Row> read = spark.read().format("columnseal").option("kms.provider", "local")
        .option("kms.keyring", kit.keyringFile.toString()).load(enc);
    List<Row> names = in.where("s IS NOT NULL").select("s").distinct().limit(2).collectAsList();
    String a = names.get(0).getString(0).replace("'", "\\'");
    String b = names.get(1).getString(0).replace("'", "\\'");
    List<Row> cards = in.where("card_number IS NOT NULL").select("card_number").distinct().limit(2).collectAsList();
    String c1 = cards.get(0).getString(0);
    String c2 = cards.get(1).getString(0);
    for (String where : List.of("s IN ('" + a + "', '" + b + "')", "s IN ('" + a + "', 'nobody at all', NULL)",
        "s IN ('nobody', 'no one')", "s <=> '" + a + "'", "s <=> 'nobody at all'", "NOT (s <=> '" + a + "')",
        "card_number IN ('" + c1 + "', '" + c2 + "')", "card_number IN ('" + c1 + "', 'not digits')",
        "card_number IN ('not digits', 'nor these')", "card_number <=> '" + c2 + "'",
        "card_number <=> 'not digits'", "s IN ('" + a + "', '" + b + "') AND card_number <=> '" + c1 + "'")) {
      assertEquals(JobTestKit.sorted(in.where(where).select("id")), JobTestKit.sorted(read.where(where).select("id")),
          where);
    }
  }
}
