package io.columnseal.bench;

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
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cells per second of {@link CellEncryptor} against raw JCE AES-256-GCM on the same
 * plaintexts: one {@code Cipher} reused, initialised per cell with a counter IV, no header
 * and no associated data. The gap is what the cell format costs on top of AES-GCM itself.
 *
 * <p>The plaintexts mimic a card table: 16-19 digit card numbers, 3-digit CVVs, names of
 * about 15 bytes and streets of about 25, sealed row by row as a partition would.
 *
 * <p>Not a test (surefire does not pick up this name); run {@code jobs/bench-cell-cipher}.
 * Arguments: {@code [cells] [measured rounds] [warm-up rounds]}.
 */
public final class CellCipherBench {
  private static final String DATASET = "cards";
  private static final ColumnSpec[] COLUMNS = {
      ColumnSpec.of(DATASET, "card_number", CellType.STRING),
      ColumnSpec.of(DATASET, "cvv", CellType.STRING),
      ColumnSpec.of(DATASET, "holder_name", CellType.STRING),
      ColumnSpec.of(DATASET, "street", CellType.STRING)};
  private static final String[] FIRST = {"Anna", "Bernard", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro"};
  private static final String[] LAST = {"Lindqvist", "Okafor", "Moreau", "Kowalski", "Tanaka", "Silva", "Novak"};
  private static final String[] STREET = {"Rue de la Republique", "Kings Road", "Avenida da Liberdade",
      "Hauptstrasse", "Calle Mayor", "Nieuwe Herengracht"};

  private final SecureRandom random = new SecureRandom();
  private final byte[][] plaintexts;
  private long sink;

  private CellCipherBench(int cells) {
    plaintexts = samplePlaintexts(cells, new Random(20261122));
  }

  public static void main(String[] args) throws GeneralSecurityException {
    int cells = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    new CellCipherBench(cells).run(rounds, warmups);
  }

  private void run(int rounds, int warmups) throws GeneralSecurityException {
    long plaintextBytes = 0;
    for (byte[] p : plaintexts) {
      plaintextBytes += p.length;
    }
    System.out.printf("cells per round: %,d (4 columns, mean plaintext %.1f bytes); %d warm-up + %d measured rounds%n",
        plaintexts.length, (double) plaintextBytes / plaintexts.length, warmups, rounds);

    double[] cellRates = new double[rounds];
    double[] jceRates = new double[rounds];
    double[] aadRates = new double[rounds];
    for (int r = -warmups; r < rounds; r++) {
      // Alternate which goes first, so neither always runs on a warmer (or more collected) heap.
      double cell;
      double jce;
      if ((r & 1) == 0) {
        cell = rate(this::sealCells);
        jce = rate(() -> sealRawJce(false));
      } else {
        jce = rate(() -> sealRawJce(false));
        cell = rate(this::sealCells);
      }
      double aad = rate(() -> sealRawJce(true));
      if (r >= 0) {
        cellRates[r] = cell;
        jceRates[r] = jce;
        aadRates[r] = aad;
      }
      System.out.printf("  %s %2d: CellEncryptor %,12.0f cells/s   raw JCE AES-GCM %,12.0f cells/s"
              + "   (raw JCE + same AAD %,12.0f)%n",
          r < 0 ? "warm-up" : "round  ", r < 0 ? r + warmups + 1 : r + 1, cell, jce, aad);
    }
    double cellMedian = median(cellRates);
    double jceMedian = median(jceRates);
    System.out.printf("median: CellEncryptor %,.0f cells/s, raw JCE AES-GCM %,.0f cells/s, ratio %.2f%n",
        cellMedian, jceMedian, cellMedian / jceMedian);
    System.out.printf("        raw JCE AES-GCM with the cells' associated data: %,.0f cells/s "
        + "(the share of the gap that authenticating dataset, column, type and DEK costs)%n", median(aadRates));
    System.out.printf("cell overhead: %d bytes per cell (header %d + tag %d); raw GCM output carries the %d-byte tag only%n",
        CellFormat.OVERHEAD_BYTES, CellFormat.HEADER_BYTES, CellFormat.TAG_BYTES, CellFormat.TAG_BYTES);
    System.out.println("(checksum " + sink + ")");
  }

  private interface Round {
    void run() throws GeneralSecurityException;
  }

  private double rate(Round round) throws GeneralSecurityException {
    long start = System.nanoTime();
    round.run();
    long elapsed = System.nanoTime() - start;
    return plaintexts.length * 1e9 / elapsed;
  }

  /** A fresh DEK per round: a DEK seals through one encryptor only. */
  private void sealCells() {
    byte[] keyBytes = new byte[SealingKey.KEY_BYTES];
    random.nextBytes(keyBytes);
    try (SealingKey key = SealingKey.of(DekId.random(random), keyBytes); CellEncryptor encryptor = CellEncryptor.open(key)) {
      CellEncryptor.Column[] columns = new CellEncryptor.Column[COLUMNS.length];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = encryptor.column(COLUMNS[c]);
      }
      long acc = 0;
      for (int i = 0; i < plaintexts.length; i++) {
        byte[] cell = columns[i & 3].seal(plaintexts[i]);
        acc += cell[cell.length - 1];
      }
      sink += acc;
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
  }

  /**
   * The baseline: the same plaintexts through one reused JCE Cipher, counter IVs, nothing else;
   * with {@code withAad}, also the associated data a cell of that column would carry.
   */
  private void sealRawJce(boolean withAad) throws GeneralSecurityException {
    byte[][] aads = new byte[COLUMNS.length][];
    DekId dekId = DekId.random(random);
    for (int c = 0; c < aads.length; c++) {
      aads[c] = CellFormat.associatedData(COLUMNS[c], dekId);
    }
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    SecretKeySpec key = new SecretKeySpec(keyBytes, "AES");
    Arrays.fill(keyBytes, (byte) 0);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    byte[] iv = new byte[12];
    long acc = 0;
    for (int i = 0; i < plaintexts.length; i++) {
      iv[8] = (byte) (i >>> 24);
      iv[9] = (byte) (i >>> 16);
      iv[10] = (byte) (i >>> 8);
      iv[11] = (byte) i;
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      if (withAad) {
        cipher.updateAAD(aads[i & 3]);
      }
      byte[] out = cipher.doFinal(plaintexts[i]);
      acc += out[out.length - 1];
    }
    sink += acc;
  }

  private static byte[][] samplePlaintexts(int cells, Random random) {
    byte[][] out = new byte[cells][];
    for (int i = 0; i < cells; i++) {
      String value;
      switch (i & 3) {
        case 0:
          value = digits(random, 16 + random.nextInt(4));
          break;
        case 1:
          value = digits(random, 3);
          break;
        case 2:
          value = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
          break;
        default:
          value = (1 + random.nextInt(240)) + " " + STREET[random.nextInt(STREET.length)];
          break;
      }
      out[i] = value.getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static String digits(Random random, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) ('0' + random.nextInt(10));
    }
    return new String(c);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
