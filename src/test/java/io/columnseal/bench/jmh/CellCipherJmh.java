package io.columnseal.bench.jmh;

import io.columnseal.crypto.CellEncryptor;
import io.columnseal.crypto.CellFormat;
import io.columnseal.crypto.CellType;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.SealingKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Cells per second of {@link CellEncryptor} against raw JCE AES-256-GCM on the same card-like
 * plaintexts (4 columns, row by row). The raw baselines reuse one {@code Cipher}, set a counter
 * IV per cell and return the GCM output alone; {@code rawJceWithAad} also authenticates the
 * associated data a cell of that column carries. The gap between {@code cellEncryptor} and
 * {@code rawJce} is what the cell format (header, AAD, checks) costs on top of AES-GCM.
 * Run with {@code jobs/bench-jmh}; a score is cells per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CellCipherJmh {
  static final int BATCH = 4096;
  private static final String DATASET = "cards";
  private static final ColumnSpec[] COLUMNS = {
      ColumnSpec.of(DATASET, "card_number", CellType.STRING),
      ColumnSpec.of(DATASET, "cardholder_name", CellType.STRING),
      ColumnSpec.of(DATASET, "cvv", CellType.STRING),
      ColumnSpec.of(DATASET, "street_address", CellType.STRING)};
  private static final String[] FIRST = {"Anna", "Bernard", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro"};
  private static final String[] LAST = {"Lindqvist", "Okafor", "Moreau", "Kowalski", "Tanaka", "Silva", "Novak"};
  private static final String[] STREET = {"Rue de la Republique", "Kings Road", "Avenida da Liberdade",
      "Hauptstrasse", "Calle Mayor", "Nieuwe Herengracht"};

  private final SecureRandom random = new SecureRandom();
  private byte[][] plaintexts;
  private byte[][] aads;
  private SealingKey key;
  private CellEncryptor encryptor;
  private CellEncryptor.Column[] columns;
  private SecretKeySpec rawKey;
  private Cipher rawCipher;
  private final byte[] iv = new byte[CellFormat.NONCE_BYTES];
  private int counter;

  @Setup(Level.Trial)
  public void plaintexts() {
    Random r = new Random(20261122);
    plaintexts = new byte[BATCH][];
    for (int i = 0; i < BATCH; i++) {
      String v = switch (i & 3) {
        case 0 -> digits(r, 16);
        case 1 -> FIRST[r.nextInt(FIRST.length)] + " " + LAST[r.nextInt(LAST.length)];
        case 2 -> digits(r, 3);
        default -> (1 + r.nextInt(240)) + " " + STREET[r.nextInt(STREET.length)];
      };
      plaintexts[i] = v.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A fresh DEK per iteration: one DEK seals through one encryptor, at most 2^32 cells. */
  @Setup(Level.Iteration)
  public void keys() throws GeneralSecurityException {
    byte[] keyBytes = new byte[SealingKey.KEY_BYTES];
    random.nextBytes(keyBytes);
    DekId id = DekId.random(random);
    key = SealingKey.of(id, keyBytes);
    encryptor = CellEncryptor.open(key);
    columns = new CellEncryptor.Column[COLUMNS.length];
    aads = new byte[COLUMNS.length][];
    for (int c = 0; c < COLUMNS.length; c++) {
      columns[c] = encryptor.column(COLUMNS[c]);
      aads[c] = CellFormat.associatedData(COLUMNS[c], id);
    }
    rawKey = new SecretKeySpec(keyBytes, "AES");
    Arrays.fill(keyBytes, (byte) 0);
    rawCipher = Cipher.getInstance("AES/GCM/NoPadding");
    random.nextBytes(iv);
    counter = 0;
  }

  @TearDown(Level.Iteration)
  public void destroy() {
    encryptor.close();
    key.destroy();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void cellEncryptor(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(columns[i & 3].seal(plaintexts[i]));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rawJce(Blackhole bh) throws GeneralSecurityException {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(rawSeal(plaintexts[i], null));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rawJceWithAad(Blackhole bh) throws GeneralSecurityException {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(rawSeal(plaintexts[i], aads[i & 3]));
    }
  }

  /** The baseline: a counter IV (the JCE refuses a repeated one), GCM output into a new array. */
  private byte[] rawSeal(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
    int n = counter++;
    iv[8] = (byte) (n >>> 24);
    iv[9] = (byte) (n >>> 16);
    iv[10] = (byte) (n >>> 8);
    iv[11] = (byte) n;
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(CellFormat.TAG_BITS, iv));
    if (aad != null) {
      rawCipher.updateAAD(aad);
    }
    return rawCipher.doFinal(plaintext);
  }

  private static String digits(Random r, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) ('0' + r.nextInt(10));
    }
    return new String(c);
  }
}
