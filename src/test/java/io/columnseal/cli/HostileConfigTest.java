package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.ConfigException;
import io.columnseal.jobs.input.MalformedRows;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** input.malformed, decrypt --on-error and the redaction settings: checked without Spark. */
class HostileConfigTest {
  private static final List<String> BASE = List.of("dataset=cards", "input.path=in.csv", "encrypt.columns=card_number",
      "kms.provider=local", "kms.keyring=k.json", "kms.key=alias/k", "output.path=out");

  @Test
  void malformedRowsFailUnlessQuarantineIsAskedFor() {
    assertEquals(MalformedRows.FAIL, settings().malformed);
    assertEquals(MalformedRows.QUARANTINE, settings("input.malformed=quarantine").malformed);
    assertEquals(MalformedRows.QUARANTINE, settings("input.malformed=QUARANTINE").malformed);
    ConfigException e = assertThrows(ConfigException.class, () -> settings("input.malformed=skip"));
    assertTrue(e.getMessage().contains("input.malformed") && e.getMessage().contains("fail or quarantine"), e.getMessage());
  }

  @Test
  void quarantineNeedsCsvThatSparkDoesNotDropOrFailItself() {
    ConfigException parquet = assertThrows(ConfigException.class,
        () -> settings("input.malformed=quarantine", "input.format=parquet"));
    assertEquals("Cannot set input.malformed to quarantine with input.format=parquet: only CSV rows can be malformed;"
        + " set input.malformed=fail or leave it out", parquet.getMessage());
    for (String mode : List.of("DROPMALFORMED", "failfast")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> settings("input.malformed=quarantine", "input.options.mode=" + mode));
      assertTrue(e.getMessage().startsWith("Cannot set input.malformed to quarantine with input.options.mode=" + mode),
          e.getMessage());
    }
    assertEquals(MalformedRows.QUARANTINE, settings("input.malformed=quarantine", "input.options.mode=permissive").malformed);
  }

  @Test
  void decryptOnErrorTakesFailOrNullAndIsAUsageErrorOtherwise() {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      code = Main.run("decrypt", "--dataset", "enc", "--output", "dec", "--on-error", "skip",
          "--set", "kms.provider=local", "--set", "kms.keyring=k.json");
    } finally {
      System.setErr(oldErr);
    }
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--on-error") && err.toString(StandardCharsets.UTF_8)
        .contains("fail or null"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void redactionCoversSecretSettingsButNotOurIds() {
    Pattern keys = Pattern.compile(Sparks.REDACTION_REGEX);
    for (String secret : List.of("spark.hadoop.fs.s3a.secret.key", "spark.hadoop.fs.s3a.access.key",
        "spark.hadoop.fs.s3a.session.token", "spark.columnseal.probe.credential", "spark.executorEnv.KEYRING_PASSPHRASE",
        "spark.ssl.keyStorePassword", "spark.executorEnv.COLUMNSEAL_KEYRING", "spark.hadoop.private_key")) {
      assertTrue(keys.matcher(secret).find(), secret);
    }
    for (String plain : List.of("spark.columnseal.innerCommitProtocolClass", "columnseal.run.id", "spark.master",
        "spark.app.name", "spark.sql.shuffle.partitions", "spark.eventLog.dir")) {
      assertFalse(keys.matcher(plain).find(), plain);
    }
    Pattern text = Pattern.compile(Sparks.PLAN_REDACTION_REGEX);
    assertEquals("s3a://*@bucket/in.csv", text.matcher("s3a://AKIDEXAMPLE:s3cr3t@bucket/in.csv").replaceAll("*"));
    assertEquals("Location [file:/data/in.csv]", text.matcher("Location [file:/data/in.csv]").replaceAll("*"));
    assertEquals("{*, header=true}", text.matcher("{password=hunter2, header=true}").replaceAll("*"));
  }

  private static io.columnseal.jobs.encrypt.EncryptSettings settings(String... extra) {
    List<String> sets = new ArrayList<>(BASE);
    sets.addAll(List.of(extra));
    return JobConfig.load(null, sets).encryptSettings();
  }
}
