package io.columnseal.jobs.encrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.JobTestKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw bytes of an encrypted dataset (data files, manifest, run summary) hold none of the
 * sample's card numbers, CVVs, names or streets. Files are written uncompressed here so that
 * plaintext would show; the same scan over a plain copy finds them, so the scan can fail.
 */
class NoPlaintextInOutputTest {
  @TempDir
  Path tmp;

  @Test
  void encryptedOutputHoldsNoSensitiveValue() throws Exception {
    SparkSession spark = JobTestKit.spark();
    String codec = spark.conf().get("spark.sql.parquet.compression.codec");
    spark.conf().set("spark.sql.parquet.compression.codec", "uncompressed");
    try {
      JobTestKit kit = new JobTestKit(tmp);
      String enc = tmp.resolve("enc").toString();
      EncryptJob.run(spark, kit.sampleCsv(enc).build());
      String plain = tmp.resolve("plain").toString();
      JobTestKit.sampleInput().write().parquet(plain);

      List<byte[]> needles = needles();
      byte[] encrypted = allBytes(Path.of(enc));
      byte[] control = allBytes(Path.of(plain));
      int controlHits = 0;
      for (byte[] n : needles) {
        int at = indexOf(encrypted, n);
        assertEquals(-1, at, () -> "a sensitive value is in the encrypted output at byte " + at + " (needle of "
            + n.length + " bytes: " + new String(n, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?") + ")");
        if (indexOf(control, n) >= 0) {
          controlHits++;
        }
      }
      assertTrue(controlHits > needles.size() * 9 / 10,
          "the scan finds the values in a plain copy (" + controlHits + " of " + needles.size() + ")");
    } finally {
      spark.conf().set("spark.sql.parquet.compression.codec", codec);
    }
  }

  /**
   * Card numbers, names and streets as UTF-8; CVVs as Parquet stores a short string (a 4-byte
   * little-endian length, then the digits), since three digits alone occur by chance.
   */
  private static List<byte[]> needles() {
    // A sensitive value that also stands in a clear column (a CVV "146" and a zip "146") is
    // legitimately in the output; leave those out.
    java.util.Set<String> clear = new java.util.HashSet<>();
    for (Row r : JobTestKit.sampleInput().drop(JobTestKit.SENSITIVE.toArray(new String[0])).collectAsList()) {
      for (int i = 0; i < r.size(); i++) {
        clear.add(String.valueOf(r.get(i)));
      }
    }
    List<byte[]> out = new ArrayList<>();
    for (Row r : JobTestKit.sampleInput().select("card_number", "cardholder_name", "cvv", "street_address").collectAsList()) {
      for (int i : new int[] {0, 1, 3}) {
        if (!r.isNullAt(i) && !clear.contains(r.getString(i))) {
          out.add(r.getString(i).getBytes(StandardCharsets.UTF_8));
        }
      }
      if (clear.contains(r.getString(2))) {
        continue;
      }
      byte[] cvv = r.getString(2).getBytes(StandardCharsets.UTF_8);
      byte[] prefixed = new byte[4 + cvv.length];
      prefixed[0] = (byte) cvv.length;
      System.arraycopy(cvv, 0, prefixed, 4, cvv.length);
      out.add(prefixed);
    }
    return out;
  }

  private static byte[] allBytes(Path root) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        all.write(Files.readAllBytes(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
