package io.columnseal.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSparkExtension.class)
class SharedSparkTest {
  @Test
  void oneSessionPerJvmWithTheTestSettings(SparkSession injected) {
    SparkSession spark = SharedSpark.session();
    assertSame(spark, SharedSpark.session());
    assertSame(spark, injected);
    assertEquals("local[2,4]", spark.sparkContext().master());
    assertEquals("UTC", spark.conf().get("spark.sql.session.timeZone"));
    assertEquals("4", spark.conf().get("spark.sql.shuffle.partitions"));
    assertEquals("false", spark.conf().get("spark.ui.enabled"));
    assertEquals("127.0.0.1", spark.conf().get("spark.driver.host"));
    assertEquals(3L, spark.range(3).count());
  }
}
