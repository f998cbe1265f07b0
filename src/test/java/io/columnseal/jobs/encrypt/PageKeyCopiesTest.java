package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.crypto.protect.Protection;
import io.columnseal.jobs.JobTestKit;
import io.columnseal.jobs.dataset.CellEncoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.parquet.crypto.ColumnEncryptionProperties;
import org.apache.parquet.crypto.FileEncryptionProperties;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key bytes Parquet's PME builders copied are zero once a page-mode task ends (FORMAT.md 12.5). */
class PageKeyCopiesTest {
  /** The properties the task built, kept past its end (the local executor shares this JVM). */
  private static final List<FileEncryptionProperties> SEEN = new CopyOnWriteArrayList<>();
  /** Whether each key array was non-zero inside the task (so the zeros below are the task end's). */
  private static final List<Boolean> NON_ZERO_INSIDE = new CopyOnWriteArrayList<>();

  @TempDir
  Path tmp;

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void footerAndColumnKeyCopiesAreZeroAfterTheTask() {
    JobTestKit kit = new JobTestKit(tmp);
    StructType schema = new StructType().add("id", DataTypes.StringType).add("card_number", DataTypes.StringType)
        .add("cvv", DataTypes.StringType);
    // Two groups: kms.key's (footer, and cvv) and alias/test again under another name (card_number).
    SealingPolicies policies = new SealingPolicies(List.of("kms.key", "pan"), List.of(kit.keyArn, kit.keyArn),
        new int[] {1, 0}, new Protection[] {Protection.RANDOMIZED, Protection.RANDOMIZED}, 0, true,
        new String[3], new boolean[3], new DomainProtection[2]);
    SealingPlan plan = new SealingPlan("copies", schema, new int[] {1, 2}, CellEncoding.BINARY, kit.keys, policies,
        Map.of(), false, false, "UTF-8");
    SEEN.clear();
    NON_ZERO_INSIDE.clear();
    JobTestKit.spark().range(0, 1, 1, 1).foreachPartition((ForeachPartitionFunction<Long>) rows -> {
      PageTaskKeys.register(plan, PageAlgorithm.AES_GCM_V1, 1);
      for (String f : List.of("/d/part-00000-a.c000.snappy.parquet", "/d/part-00000-b.c000.snappy.parquet")) {
        FileEncryptionProperties p = PageTaskKeys.current().fileProperties(new org.apache.hadoop.fs.Path(f));
        SEEN.add(p);
        NON_ZERO_INSIDE.add(!allZero(p.getFooterKey()));
        for (ColumnEncryptionProperties c : p.getEncryptedColumns().values()) {
          NON_ZERO_INSIDE.add(!allZero(c.getKeyBytes()));
        }
      }
    });
    assertEquals(2, SEEN.size());
    assertEquals(List.of(true, true, true, true, true, true), NON_ZERO_INSIDE);
    for (FileEncryptionProperties p : SEEN) {
      assertEquals(32, p.getFooterKey().length);
      assertTrue(allZero(p.getFooterKey()), "footer key copy zeroed");
      assertEquals(2, p.getEncryptedColumns().size());
      for (ColumnEncryptionProperties c : p.getEncryptedColumns().values()) {
        assertTrue(allZero(c.getKeyBytes()), "column key copy of " + c.getPath() + " zeroed");
      }
    }
  }

  @Test
  void parquetsBuildersCopyTheKeyAndItsGettersReturnTheCopy() {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) 7);
    FileEncryptionProperties p = FileEncryptionProperties.builder(key).withPlaintextFooter()
        .withEncryptedColumns(Map.of(org.apache.parquet.hadoop.metadata.ColumnPath.get("c"),
            ColumnEncryptionProperties.builder("c").withKey(key).build()))
        .build();
    PageTaskKeys.zeroKeyCopies(p);
    assertFalse(allZero(key), "the builders copied the caller's array");
    assertTrue(allZero(p.getFooterKey()));
    assertTrue(allZero(p.getEncryptedColumns().values().iterator().next().getKeyBytes()));
  }
}
