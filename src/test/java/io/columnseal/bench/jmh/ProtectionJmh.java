package io.columnseal.bench.jmh;

import io.columnseal.crypto.CellEncryptor;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.SealingKey;
import io.columnseal.crypto.protect.DeterministicCipher;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.crypto.protect.FormatPreservingCipher;
import io.columnseal.crypto.protect.FpeOptions;
import io.columnseal.crypto.protect.MaskStyle;
import io.columnseal.crypto.protect.Masker;
import io.columnseal.crypto.protect.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cells per second of each column protection (docs/FORMAT.md section 10) on the same
 * Luhn-valid 16-digit card numbers, next to today's randomized cells ({@link CellEncryptor},
 * AES-256-GCM). FF1 runs 10 Feistel rounds of AES-CBC-MAC per value, and with luhn plus
 * keepLast4 about 10 FF1 calls per value (cycle walking): {@code fpePan64Luhn} shows that cost.
 * Run with {@code JMH_BENCH=ProtectionJmh jobs/bench-jmh}; a score is values per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProtectionJmh {
  static final int BATCH = 1024;
  private static final ColumnSpec PAN = ColumnSpec.of("cards", "card_number", CellType.STRING);

  private final SecureRandom random = new SecureRandom();
  private String[] pans;
  private byte[][] panBytes;
  private DomainKey domainKey;
  private DeterministicCipher deterministic;
  private FormatPreservingCipher fpeFull;
  private FormatPreservingCipher fpe64;
  private FormatPreservingCipher fpe64Luhn;
  private Tokenizer tokenizer;
  private Masker masker;
  private SealingKey dek;
  private CellEncryptor.Column randomized;

  @Setup(Level.Trial)
  public void values() {
    Random r = new Random(14);
    pans = new String[BATCH];
    panBytes = new byte[BATCH][];
    for (int i = 0; i < BATCH; i++) {
      pans[i] = luhnNumber(r, 16);
      panBytes[i] = pans[i].getBytes(StandardCharsets.US_ASCII);
    }
    byte[] k = new byte[DomainKey.KEY_BYTES];
    random.nextBytes(k);
    domainKey = DomainKey.of("pan", DekId.random(random), k);
    Arrays.fill(k, (byte) 0);
    deterministic = DeterministicCipher.open(domainKey);
    fpeFull = FormatPreservingCipher.open(domainKey, FpeOptions.FULL);
    fpe64 = FormatPreservingCipher.open(domainKey, new FpeOptions(true, true, false));
    fpe64Luhn = FormatPreservingCipher.open(domainKey, FpeOptions.PAN_6_4_LUHN);
    tokenizer = Tokenizer.open(domainKey, Tokenizer.DEFAULT_TOKEN_BYTES);
    masker = Masker.of(MaskStyle.FIRST6_LAST4);
  }

  /** A fresh DEK per iteration: one DEK seals through one encryptor, at most 2^32 cells. */
  @Setup(Level.Iteration)
  public void dek() {
    byte[] k = new byte[SealingKey.KEY_BYTES];
    random.nextBytes(k);
    dek = SealingKey.of(DekId.random(random), k);
    Arrays.fill(k, (byte) 0);
    randomized = CellEncryptor.open(dek).column(PAN);
  }

  @TearDown(Level.Iteration)
  public void dropDek() {
    dek.destroy();
  }

  @TearDown(Level.Trial)
  public void close() {
    deterministic.close();
    fpeFull.close();
    fpe64.close();
    fpe64Luhn.close();
    tokenizer.close();
    domainKey.destroy();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void randomized(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(randomized.seal(panBytes[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void deterministic(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(deterministic.seal(PAN, panBytes[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fpeFull(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(fpeFull.encrypt("card_number", pans[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fpePan64(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(fpe64.encrypt("card_number", pans[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fpePan64Luhn(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(fpe64Luhn.encrypt("card_number", pans[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void token(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(tokenizer.token(PAN, panBytes[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void mask(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(masker.mask(pans[i]));
    }
  }

  private static String luhnNumber(Random r, int length) {
    int[] d = new int[length];
    for (int i = 0; i < length - 1; i++) {
      d[i] = r.nextInt(10);
    }
    int sum = 0;
    for (int i = length - 2, k = 0; i >= 0; i--, k++) {
      int v = k % 2 == 0 ? d[i] * 2 : d[i];
      sum += v > 9 ? v - 9 : v;
    }
    d[length - 1] = (10 - sum % 10) % 10;
    StringBuilder s = new StringBuilder(length);
    for (int v : d) {
      s.append((char) ('0' + v));
    }
    return s.toString();
  }
}
