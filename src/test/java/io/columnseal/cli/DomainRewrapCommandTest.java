package io.columnseal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.jobs.domain.DomainKeys;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.TrustedKeys;
import io.columnseal.manifest.DomainRecord;
import io.columnseal.manifest.DomainStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rewrap --domain}: exit codes and the record it writes. */
class DomainRewrapCommandTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      return new Run(Main.run(args), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void rewrapOfADomainWritesTheNextRecordUnderTheTargetKey() {
    Path ring = tmp.resolve("ring.json");
    String store = tmp.resolve("domains").toString();
    String a;
    String b;
    try (LocalKeyring kms = LocalKeyring.createOrOpen(ring)) {
      a = kms.createKey("alias/pan", "pan").keyArn();
      b = kms.createKey("alias/pan-next", "pan next").keyArn();
      DomainStore s = DomainStore.at(new org.apache.hadoop.fs.Path(store), new Configuration());
      new DomainKeys(s, kms, TrustedKeys.defaultFor(List.of(a)),
          new DomainKeyCache(Clock.systemUTC(), 10, Duration.ofMinutes(1), Duration.ofMinutes(1)))
          .openOrCreate("pan", "alias/pan", null).close();
    }
    String[] base = {"rewrap", "--domain", "pan", "--set", "kms.provider=local", "--set", "kms.keyring=" + ring,
        "--to-key", "alias/pan-next"};

    Run noStore = cli(base);
    assertEquals(2, noStore.code(), noStore.err());
    assertTrue(noStore.err().contains("needs --domain-store PATH"), noStore.err());

    Run dry = cli(concat(base, "--domain-store", store, "--dry-run"));
    assertEquals(0, dry.code(), dry.err());
    assertEquals("dry run: would rewrap domain pan record 1 from " + a + " to " + b + "\n", dry.out());

    Run r = cli(concat(base, "--set", "encrypt.domainStore=" + store));
    assertEquals(0, r.code(), r.err());
    assertEquals("rewrapped domain pan record 1 from " + a + " to " + b + " as record 2\n", r.out());
    DomainRecord two = DomainStore.at(new org.apache.hadoop.fs.Path(store), new Configuration()).latest("pan").orElseThrow();
    assertEquals(2, two.number());
    assertEquals(b, two.keyArn());

    Run untrusted = cli("rewrap", "--domain", "pan", "--set", "kms.provider=local", "--set", "kms.keyring=" + ring,
        "--domain-store", store, "--set", "kms.allowedKeys=" + b, "--to-key", a);
    assertEquals(1, untrusted.code(), untrusted.err()); // as the dataset rewrap refuses an untrusted target
    assertTrue(untrusted.err().contains("the target key " + a + " is not allowed"), untrusted.out() + "/" + untrusted.err());

    Run missing = cli("rewrap", "--domain", "absent", "--set", "kms.provider=local", "--set", "kms.keyring=" + ring,
        "--domain-store", store, "--to-key", "alias/pan-next");
    assertEquals(1, missing.code(), missing.err());
    assertTrue(missing.err().contains("domain absent has no record"), missing.err());

    Run neither = cli("rewrap", "--set", "kms.provider=local", "--set", "kms.keyring=" + ring, "--to-key", "alias/pan-next");
    assertEquals(2, neither.code(), neither.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
