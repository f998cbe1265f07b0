package io.columnseal.jobs.dataset;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids that sort by start time and never collide: {@code 20261123T072716Z-1f3a9c0b}. */
public final class RunIds {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Instant now) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return STAMP.format(now) + "-" + HexFormat.of().formatHex(b);
  }
}
