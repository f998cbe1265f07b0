package io.columnseal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** The pending record MAC's bytes (docs/FORMAT.md 5.9), against the test vector documented there. */
class PendingMacTest {
  @Test
  void theMessageAndMacMatchTheFormatTestVector() throws Exception {
    byte[] record = "{\"pendingFormat\":2}\n".getBytes(StandardCharsets.US_ASCII);
    byte[] message = PendingMac.message("cards-test", "20261122T010203Z-0badf00d", record);
    assertEquals("636f6c756d6e7365616c2070656e64696e67206d61632076310a63617264732d746573740a3230323631313232543031303230"
        + "335a2d30626164663030640a636233626530616262336435376636356536663165306630393730396133343734383163643039356361"
        + "30346330636164646636626364336331376530653734", HexFormat.of().formatHex(message));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "HmacSHA256"));
    assertEquals("be56c24c32161b6261cce54e8d56c836337970acf3bc55b682d600d9a3d06953",
        HexFormat.of().formatHex(mac.doFinal(message)));
  }

  @Test
  void theSideFileSitsBesideTheRecord() {
    assertEquals(new Path("s3a://b/d/_columnseal/_pending/R.mac"),
        PendingMac.sideFile(new Path("s3a://b/d/_columnseal/_pending/R.json")));
  }
}
