package io.columnseal.jobs.rewrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.spark.SparkTypes;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.junit.jupiter.api.Test;

/** rewrap's Spark-free reading of manifest types gives the cell spec encrypt sealed with. */
class ColumnTypesTest {
  @Test
  void everyTypeACellHoldsMapsAsSparkMapsIt() {
    for (String type : List.of("string", "boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "date",
        "timestamp", "timestamp_ntz", "binary", "decimal(9,2)", "decimal(12,2)", "decimal(18,0)", "decimal(38,10)")) {
      // The manifest records DataType.catalogString(), so the round trip through Spark is the reference.
      String recorded = DataType.fromDDL(type).catalogString();
      assertEquals(SparkTypes.columnSpec("cards", "c", DataType.fromDDL(recorded)),
          ColumnTypes.spec("cards", "c", recorded), recorded);
    }
  }

  @Test
  void aTypeNoCellHoldsIsNamed() {
    assertEquals("the manifest of dataset cards records encrypted column c with type array<int>, which no cell holds",
        assertThrows(DatasetException.class, () -> ColumnTypes.spec("cards", "c", "array<int>")).getMessage());
  }
}
