package io.columnseal.jobs.verify;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.protect.DeterministicCipher;
import io.columnseal.crypto.protect.FormatPreservingCipher;
import io.columnseal.crypto.protect.MaskStyle;
import io.columnseal.crypto.protect.Masker;
import io.columnseal.crypto.protect.Tokenizer;
import io.columnseal.jobs.dataset.CellEncoding;
import io.columnseal.jobs.decrypt.DomainOpenings;
import io.columnseal.jobs.domain.DomainKeyCache;
import io.columnseal.jobs.spark.InternalCells;
import io.columnseal.jobs.spark.SparkTypes;
import io.columnseal.kms.KeyServiceSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;

/**
 * verify's pass over deterministic, fpe, token and mask columns (FORMAT.md section 10), in the
 * executors. Every value: its shape (a deterministic cell naming the manifest's domain key,
 * digits of the fpe length and Luhn, a token of the configured length); a few per file and
 * column: a deterministic cell opens under the domain key and re-seals to the same bytes, an
 * fpe value decrypts; a mask value is one the mask of FORMAT.md 10.5 leaves as it is. Values
 * never leave the executor.
 */
final class ProtectedColumnScanner implements FlatMapFunction<Iterator<InternalRow>, ProtectedColumnScanner.Result> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_EXAMPLES = 20;

  static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    long cells;
    long samples;
    final List<String> shape = new ArrayList<>();
    long shapeCount;
    final List<String> problems = new ArrayList<>();
    long problemCount;

    void shape(String m) {
      if (shapeCount++ < MAX_EXAMPLES) {
        shape.add(m);
      }
    }

    void problem(String m) {
      if (problemCount++ < MAX_EXAMPLES) {
        problems.add(m);
      }
    }
  }

  private final String datasetId;
  private final String[] names;
  private final int[] ordinals;
  private final DataType[] types;
  private final String[] protections;
  /** Per column: the domain opening (deterministic, fpe), or null (token, or no key service). */
  private final DomainOpenings.Opening[] openings;
  private final int[] tokenBytes;
  private final CellEncoding encoding;
  private final int fileOrdinal;
  private final KeyServiceSpec keyService;
  private final int samplesPerFile;
  /** Per column: the manifest's domain key id of a deterministic column, for the shape check. */
  private final long[] domainKeyIds;
  /** Per column: a mask column's {@code show} option (null: the default), else null. */
  private final String[] maskShows;

  ProtectedColumnScanner(String datasetId, String[] names, int[] ordinals, DataType[] types, String[] protections,
      DomainOpenings.Opening[] openings, int[] tokenBytes, long[] domainKeyIds, String[] maskShows,
      CellEncoding encoding, int fileOrdinal, KeyServiceSpec keyService, int samplesPerFile) {
    this.maskShows = maskShows.clone();
    this.datasetId = datasetId;
    this.names = names.clone();
    this.ordinals = ordinals.clone();
    this.types = types.clone();
    this.protections = protections.clone();
    this.openings = openings.clone();
    this.tokenBytes = tokenBytes.clone();
    this.domainKeyIds = domainKeyIds.clone();
    this.encoding = encoding;
    this.fileOrdinal = fileOrdinal;
    this.keyService = keyService;
    this.samplesPerFile = samplesPerFile;
  }

  @Override
  public Iterator<Result> call(Iterator<InternalRow> rows) {
    Result r = new Result();
    Map<Integer, DomainKeyCache.Lease> leases = new HashMap<>();
    Map<Integer, AutoCloseable> ciphers = new HashMap<>();
    Map<String, Integer> sampled = new HashMap<>();
    Map<String, Masker> maskers = new HashMap<>();
    ColumnSpec[] specs = new ColumnSpec[names.length];
    for (int k = 0; k < specs.length; k++) {
      specs[k] = SparkTypes.columnSpec(datasetId, names[k], types[k]);
    }
    try {
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        String file = row.getUTF8String(fileOrdinal).toString();
        for (int col = 0; col < names.length; col++) {
          final int k = col;
          if (row.isNullAt(ordinals[k])) {
            continue;
          }
          r.cells++;
          String where = "column " + names[k] + " in " + file;
          String sampleKey = file + "\u0000" + k;
          boolean sample = openings[k] != null && sampled.getOrDefault(sampleKey, 0) < samplesPerFile;
          try {
            switch (protections[k]) {
              case "deterministic": {
                byte[] cell = cellOf(row, ordinals[k]);
                if (cell == null || !DeterministicCipher.looksLikeCell(cell)) {
                  r.shape(where + " holds a value that is not a deterministic cell");
                  continue;
                }
                if (DeterministicCipher.keyIdOf(cell).asLong() != domainKeyIds[k]) {
                  r.problem(where + " holds a deterministic cell of domain key " + DeterministicCipher.keyIdOf(cell)
                      + ", not " + DekId.fromLong(domainKeyIds[k]) + " that the manifest records");
                  continue;
                }
                if (sample) {
                  DeterministicCipher c = (DeterministicCipher) ciphers.computeIfAbsent(k,
                      x -> DeterministicCipher.open(lease(leases, k).key()));
                  byte[] plain = c.open(specs[k], cell);
                  InternalCells.decode(specs[k], plain);
                  if (!Arrays.equals(cell, c.seal(specs[k], plain))) {
                    r.problem(where + ": a deterministic cell does not re-seal to the same bytes");
                  }
                }
                break;
              }
              case "fpe": {
                String v = row.getUTF8String(ordinals[k]).toString();
                FormatPreservingCipher c = openings[k] == null ? null : (FormatPreservingCipher) ciphers.computeIfAbsent(
                    k, x -> FormatPreservingCipher.open(lease(leases, k).key(), openings[k].fpeOptions()));
                if (c != null && !c.hasOutputShape(v)) {
                  r.shape(where + " holds a value that is not fpe output (digits, length, Luhn)");
                  continue;
                }
                if (sample) {
                  c.decrypt(names[k], v);
                }
                break;
              }
              case "token": {
                if (!Tokenizer.hasTokenShape(row.getUTF8String(ordinals[k]).toString(), tokenBytes[k])) {
                  r.shape(where + " holds a value that is not a token of " + tokenBytes[k] + " bytes (lower-case hex)");
                }
                continue;
              }
              case "mask": {
                String show = maskShows[k] == null ? "first6last4" : maskShows[k];
                Masker m = maskers.computeIfAbsent(show, x -> Masker.of(MaskStyle.fromConfigName(x)));
                if (!m.hasMaskShape(row.getUTF8String(ordinals[k]).toString())) {
                  r.shape(where + " holds a value that is not a " + show + " mask");
                }
                continue;
              }
              default:
                continue;
            }
            if (sample) {
              sampled.merge(sampleKey, 1, Integer::sum);
              r.samples++;
            }
          } catch (ColumnsealException e) {
            r.problem("sample cell of " + where + " did not decrypt: " + e.getMessage());
          }
        }
      }
    } finally {
      for (AutoCloseable c : ciphers.values()) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing a domain cipher failed", e);
        }
      }
      leases.values().forEach(DomainKeyCache.Lease::close);
    }
    return List.of(r).iterator();
  }

  private DomainKeyCache.Lease lease(Map<Integer, DomainKeyCache.Lease> leases, int k) {
    return leases.computeIfAbsent(k, x -> openings[k].key.open(keyService));
  }

  private byte[] cellOf(InternalRow row, int ordinal) {
    if (encoding == CellEncoding.BINARY) {
      return row.getBinary(ordinal);
    }
    try {
      return Base64.getDecoder().decode(row.getUTF8String(ordinal).getBytes());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
