package io.columnseal.crypto.protect;

import io.columnseal.crypto.CellAuthenticationException;
import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.MalformedCellException;
import io.columnseal.crypto.UnsupportedCellVersionException;
import io.columnseal.crypto.ValueCodec;
import io.columnseal.crypto.WrongDataKeyException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The {@code deterministic} protection (docs/FORMAT.md section 10.2): AES-256-GCM-SIV (RFC 8452)
 * under the domain key's deterministic subkey, with a fixed all-zero nonce, so equal (domain,
 * value type, value) give equal cells in every partition, run and dataset of the domain, and
 * joins, group-by and equality filters work on the cells.
 *
 * <pre>
 * cell = version 0x02 (1) | domain_key_id (8) | ciphertext (n) | tag (16)
 * aad  = 0x02 | u16 len | domain | type_tag | precision | scale | domain_key_id (8)
 * </pre>
 *
 * The plaintext is the typed encoding of {@link ValueCodec} (section 4), so every cell type
 * round-trips exactly. The associated data names the domain, never the dataset or the column:
 * columns of different names in different datasets join when they share a domain. The dataset
 * and column of the {@link ColumnSpec} passed in are used in error messages only.
 *
 * <p>Not thread-safe (one per task); {@link #close()} zeroes the subkey, not the domain key.
 */
public final class DeterministicCipher implements AutoCloseable {
  public static final byte VERSION = 0x02;
  public static final int KEY_ID_OFFSET = 1;
  public static final int HEADER_BYTES = 1 + DekId.LENGTH; // 9
  public static final int TAG_BYTES = 16;
  /** Bytes a cell adds to its plaintext: 9 of header and 16 of tag. */
  public static final int OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES; // 25
  /** RFC 8452 nonce length; fixed at zero bytes, the construction is then a deterministic AEAD. */
  static final int NONCE_BYTES = 12;

  private final String domain;
  private final byte[] domainUtf8;
  private final DekId keyId;
  private final KeyParameter subkey;
  private final GCMSIVBlockCipher cipher = new GCMSIVBlockCipher();
  private final Map<Integer, byte[]> aads = new HashMap<>();
  // What the cipher was last initialised for. GCM-SIV derives its per-nonce keys in init; with
  // one fixed nonce they never change, and after doFinal bcprov resets to the initial AAD, so
  // init runs again only when the direction or the type's associated data changes.
  private Boolean initFor;
  private byte[] initAad;
  private boolean closed;

  private DeterministicCipher(DomainKey key, byte[] subkeyBytes) {
    this.domain = key.domain();
    this.domainUtf8 = key.domainUtf8();
    this.keyId = key.id();
    this.subkey = new KeyParameter(subkeyBytes);
    Arrays.fill(subkeyBytes, (byte) 0);
  }

  /** Derives the deterministic subkey of {@code key}; the cipher does not own {@code key}. */
  public static DeterministicCipher open(DomainKey key) {
    return new DeterministicCipher(key, key.derive(DomainKey.INFO_DETERMINISTIC));
  }

  public String domain() {
    return domain;
  }

  public DekId keyId() {
    return keyId;
  }

  /** The id of the domain key that sealed {@code cell}, read without decrypting. */
  public static DekId keyIdOf(byte[] cell) {
    checkShape(cell, null);
    return DekId.fromBytes(cell, KEY_ID_OFFSET);
  }

  /** True when {@code bytes} has the shape of a deterministic cell (length and version); not a proof. */
  public static boolean looksLikeCell(byte[] bytes) {
    return bytes != null && bytes.length >= OVERHEAD_BYTES && bytes[0] == VERSION;
  }

  /** Associated data of section 10.2 for one domain, value type and domain key. */
  public static byte[] associatedData(String domain, ColumnSpec column, DekId keyId) {
    byte[] name = domain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return associatedData(name, column, keyId);
  }

  private static byte[] associatedData(byte[] name, ColumnSpec column, DekId keyId) {
    byte[] aad = new byte[1 + 2 + name.length + 3 + DekId.LENGTH];
    int p = 0;
    aad[p++] = VERSION;
    aad[p++] = (byte) (name.length >>> 8);
    aad[p++] = (byte) name.length;
    System.arraycopy(name, 0, aad, p, name.length);
    p += name.length;
    aad[p++] = (byte) column.type().tag();
    aad[p++] = (byte) column.precision();
    aad[p++] = (byte) column.scale();
    keyId.writeTo(aad, p);
    return aad;
  }

  /** Encodes {@code value} with {@link ValueCodec#encode} and seals it. */
  public byte[] sealValue(ColumnSpec column, Object value) {
    byte[] plaintext = ValueCodec.encode(column, value);
    try {
      return seal(column, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Opens {@code cell} and decodes it with {@link ValueCodec#decode}. */
  public Object openValue(ColumnSpec column, byte[] cell) {
    return ValueCodec.decode(column, open(column, cell));
  }

  /** Seals a typed plaintext (section 4 encoding of {@code column}'s type) into a new cell. */
  public byte[] seal(ColumnSpec column, byte[] plaintext) {
    return seal(column, plaintext, 0, plaintext.length);
  }

  /** Seals {@code len} plaintext bytes from {@code plaintext[off]} (a reused buffer) into a new cell. */
  public byte[] seal(ColumnSpec column, byte[] plaintext, int off, int len) {
    checkLive();
    java.util.Objects.checkFromIndexSize(off, len, plaintext.length);
    if (len > Integer.MAX_VALUE - OVERHEAD_BYTES) {
      throw new IllegalArgumentException("a value of column " + column.column() + " is too long for one cell");
    }
    byte[] cell = new byte[OVERHEAD_BYTES + len];
    cell[0] = VERSION;
    keyId.writeTo(cell, KEY_ID_OFFSET);
    init(true, column);
    int n = cipher.processBytes(plaintext, off, len, cell, HEADER_BYTES);
    try {
      cipher.doFinal(cell, HEADER_BYTES + n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("AES-GCM-SIV failed sealing a value of column " + column.column());
    }
    return cell;
  }

  /**
   * The plaintext of {@code cell} read as a value of {@code column}'s type in this domain.
   *
   * @throws MalformedCellException if the cell is truncated or its length does not fit the type
   * @throws UnsupportedCellVersionException if it is not a deterministic cell
   * @throws WrongDataKeyException if it names another domain key
   * @throws CellAuthenticationException if any byte, the domain, the type or the key differs
   */
  public byte[] open(ColumnSpec column, byte[] cell) {
    checkLive();
    checkShape(cell, column);
    int width = column.plaintextWidth();
    if (width >= 0 && cell.length != OVERHEAD_BYTES + width) {
      throw new MalformedCellException("deterministic cell in column " + column.column() + " is " + cell.length
          + " bytes; a " + column.type().lowerName() + " cell is " + (OVERHEAD_BYTES + width));
    }
    DekId named = DekId.fromBytes(cell, KEY_ID_OFFSET);
    if (!named.equals(keyId)) {
      throw new WrongDataKeyException("deterministic cell in column " + column.column() + " names domain key "
          + named + ", not key " + keyId + " of domain " + domain);
    }
    byte[] out = new byte[cell.length - OVERHEAD_BYTES];
    init(false, column);
    int n = cipher.processBytes(cell, HEADER_BYTES, cell.length - HEADER_BYTES, out, 0);
    try {
      cipher.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      Arrays.fill(out, (byte) 0);
      throw new CellAuthenticationException("deterministic cell in column " + column.column() + " under key " + keyId
          + " of domain " + domain + " failed authentication (changed bytes, or sealed for another domain, type or key)");
    }
    return out;
  }

  private void init(boolean encrypt, ColumnSpec column) {
    byte[] aad = aad(column);
    if (initFor == null || initFor != encrypt || initAad != aad) {
      initFor = null; // a failing init leaves no half-set state behind
      cipher.init(encrypt, new AEADParameters(subkey, TAG_BYTES * 8, new byte[NONCE_BYTES], aad));
      initFor = encrypt;
      initAad = aad;
    }
  }

  private byte[] aad(ColumnSpec column) {
    int typeKey = (column.type().tag() << 16) | (column.precision() << 8) | column.scale();
    return aads.computeIfAbsent(typeKey, k -> associatedData(domainUtf8, column, keyId));
  }

  private static void checkShape(byte[] cell, ColumnSpec column) {
    String where = column == null ? "" : " in column " + column.column();
    if (cell == null || cell.length < OVERHEAD_BYTES) {
      throw new MalformedCellException("deterministic cell" + where + " is " + (cell == null ? 0 : cell.length)
          + " bytes; it has at least " + OVERHEAD_BYTES + " (truncated or not a deterministic cell)");
    }
    if (cell[0] != VERSION) {
      throw new UnsupportedCellVersionException("cell" + where + " has format version " + (cell[0] & 0xFF)
          + "; a deterministic cell has version " + VERSION);
    }
  }

  private void checkLive() {
    if (closed) {
      throw new IllegalStateException("deterministic cipher of domain " + domain + " is closed");
    }
  }

  @Override
  public void close() {
    Arrays.fill(subkey.getKey(), (byte) 0);
    // bcprov keeps the derived AES and POLYVAL keys inside the cipher; re-keying with zeros
    // overwrites them rather than leaving them for the garbage collector.
    cipher.init(true, new AEADParameters(new KeyParameter(new byte[32]), TAG_BYTES * 8, new byte[NONCE_BYTES]));
    initFor = null;
    aads.clear();
    closed = true;
  }

  @Override
  public String toString() {
    return "DeterministicCipher[domain=" + domain + ", key=" + keyId + "]";
  }
}
