package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.ConfigException;
import io.columnseal.jobs.input.MalformedRows;
import io.columnseal.kms.KeyServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java API's builder refuses what the CLI refuses, with the CLI's messages (issue 11). */
class EncryptSettingsTest {
  private static EncryptSettings.Builder valid() {
    return EncryptSettings.builder().datasetId("cards").inputPath("in.csv").columns(List.of("pan"))
        .keyService(KeyServiceSpec.local("k.json")).kmsKey("alias/k").outputPath("out");
  }

  private static String refused(EncryptSettings.Builder b) {
    return assertThrows(ConfigException.class, b::build).getMessage();
  }

  @Test
  void aValidSpecBuildsWithItsDefaults() {
    EncryptSettings s = valid().inputFormat("PARQUET").build();
    assertEquals("parquet", s.inputFormat);
    assertEquals(OutputMode.ERROR, s.mode);
    assertEquals("csv", valid().build().inputFormat);
  }

  @Test
  void aDatasetIdOutsideThePatternIsRefused() {
    assertEquals("Cannot set dataset to cards/2026: the value must be the dataset id: letters, digits, '.', '_' or"
        + " '-', at most 128 characters", refused(valid().datasetId("cards/2026")));
    assertEquals("Cannot set dataset to " + "a".repeat(129) + ": the value must be " + EncryptSettings.DATASET_ID_RULE,
        refused(valid().datasetId("a".repeat(129))));
  }

  @Test
  void noColumnsIsRefused() {
    String message = "Missing configuration key encrypt.columns: set it to a list of input columns (in --config, or"
        + " --set encrypt.columns=a,b)";
    assertEquals(message, assertThrows(ConfigException.class, () -> valid().columns(List.of())).getMessage());
    assertEquals(message, refused(EncryptSettings.builder().datasetId("cards").inputPath("in.csv")
        .keyService(KeyServiceSpec.local("k.json")).kmsKey("alias/k").outputPath("out")));
  }

  @Test
  void anEncryptedPartitionColumnIsRefused() {
    assertEquals("output.partitionBy names pan, which is encrypted: partition values are folder names in clear text;"
        + " partition by a column that is not sensitive", refused(valid().partitionBy(List.of("pan"))));
  }

  @Test
  void anUnknownFormatOrABadSchemaIsRefused() {
    assertEquals("Cannot set input.format to json: the value must be csv or parquet",
        refused(valid().inputFormat("json")));
    String m = refused(valid().inputSchema("id INT,, name"));
    assertEquals("Cannot set input.schema to 'id INT,, name': the value must be a Spark DDL schema such as"
        + " 'id INT, name STRING' (", m.substring(0, m.indexOf('(') + 1));
  }

  @Test
  void quarantineNeedsCsvReadPermissively() {
    assertEquals("Cannot set input.malformed to quarantine with input.format=parquet: only CSV rows can be malformed;"
        + " set input.malformed=fail or leave it out",
        refused(valid().inputFormat("parquet").malformed(MalformedRows.QUARANTINE)));
    assertEquals("Cannot set input.malformed to quarantine with input.options.mode=dropMalformed: Spark's"
        + " DROPMALFORMED would drop the rows before columnseal sees them; leave input.options.mode out",
        refused(valid().inputOptions(Map.of("mode", "dropMalformed")).malformed(MalformedRows.QUARANTINE)));
    assertEquals("Cannot set input.malformed to quarantine with input.options.mode=failfast: columnseal reads"
        + " PERMISSIVE and quarantines the rows itself; leave input.options.mode out",
        refused(valid().inputOptions(Map.of("mode", "failfast")).malformed(MalformedRows.QUARANTINE)));
    assertEquals(MalformedRows.QUARANTINE,
        valid().inputOptions(Map.of("mode", "permissive")).malformed(MalformedRows.QUARANTINE).build().malformed);
  }

  @Test
  void aNegativePartitionCountOrAReservedContextKeyIsRefused() {
    assertEquals("Cannot set output.partitions to -1: the value must be a whole number of Spark partitions (one DEK"
        + " each), at least 1", refused(valid().partitions(-1)));
    assertEquals("Cannot set encrypt.context.columnseal:dataset: the columnseal: prefix is reserved for the dataset"
        + " and DEK ids that columnseal adds itself",
        refused(valid().extraContext(Map.of("columnseal:dataset", "x"))));
  }

  @Test
  void aMissingRequiredValueIsNamed() {
    assertEquals("Missing configuration key output.path", refused(valid().outputPath(null)));
    assertEquals("Missing configuration key kms.provider", refused(valid().keyService(null)));
  }
}
