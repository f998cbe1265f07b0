package io.columnseal.crypto.protect;

import java.util.Arrays;
import org.bouncycastle.crypto.fpe.FPEFF1Engine;
import org.bouncycastle.crypto.params.FPEParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The {@code fpe} protection (docs/FORMAT.md section 10.3): FF1 (NIST SP 800-38G), radix 10,
 * AES-256 under the domain key's ff1 subkey, over a string of ASCII digits. The output has the
 * same length and is digits only; it is deterministic, so columns of one domain join on it.
 *
 * <p>The value is split into a clear prefix (6 digits with {@code keepFirst6}), the encrypted
 * middle, and a tail: 4 clear digits with {@code keepLast4}, else with {@code luhn} the check
 * digit (recomputed over the output, so it is valid again), else nothing. With {@code luhn} and
 * {@code keepLast4} the middle is re-encrypted (cycle walking) until the whole output passes
 * Luhn again, about ten FF1 calls per value. The tweak binds the domain, the options, the length
 * and the clear digits (section 10.3). The middle must have at least 6 digits (10^6 values,
 * SP 800-38G rev. 1); separators are not accepted: the caller strips them.
 *
 * <p>Not thread-safe (one per task); {@link #close()} zeroes the subkey, not the domain key.
 */
public final class FormatPreservingCipher implements AutoCloseable {
  public static final int RADIX = 10;
  /** SP 800-38G rev. 1: radix^minlen >= 10^6, so at least 6 encrypted decimal digits. */
  public static final int MIN_ENCRYPTED_DIGITS = 6;
  /** The tweak carries the length in one byte. */
  public static final int MAX_DIGITS = 255;

  private final String domain;
  private final byte[] domainUtf8;
  private final FpeOptions options;
  private final KeyParameter subkey;
  private final FPEFF1Engine engine = new FPEFF1Engine();
  private boolean closed;

  private FormatPreservingCipher(DomainKey key, FpeOptions options, byte[] subkeyBytes) {
    this.domain = key.domain();
    this.domainUtf8 = key.domainUtf8();
    this.options = options;
    this.subkey = new KeyParameter(subkeyBytes);
    Arrays.fill(subkeyBytes, (byte) 0);
  }

  /** Derives the ff1 subkey of {@code key}; the cipher does not own {@code key}. */
  public static FormatPreservingCipher open(DomainKey key, FpeOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("fpe needs its options");
    }
    return new FormatPreservingCipher(key, options, key.derive(DomainKey.INFO_FF1));
  }

  public FpeOptions options() {
    return options;
  }

  /** Digits needed for a value with these options (the clear digits plus 6 encrypted). */
  public int minDigits() {
    return prefixLength() + tailLength() + MIN_ENCRYPTED_DIGITS;
  }

  /**
   * Encrypts a digit string of {@code column} (named in errors only).
   *
   * @throws FpeInputException if it is not digits only, too short, or (luhn) fails Luhn
   */
  public String encrypt(String column, String value) {
    return new String(ascii(process(true, column, digits(column, value))), java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Restores what {@link #encrypt} was given.
   *
   * @throws FpeInputException as for encrypt (a value this protection wrote never fails)
   */
  public String decrypt(String column, String value) {
    return new String(ascii(process(false, column, digits(column, value))), java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * {@link #encrypt(String, String)} on ASCII digit bytes (a Spark string's UTF-8 bytes), for
   * the hot path: no String made. Returns new ASCII digit bytes.
   */
  public byte[] encryptAscii(String column, byte[] ascii) {
    return ascii(process(true, column, digits(column, ascii)));
  }

  /** {@link #decrypt(String, String)} on ASCII digit bytes. */
  public byte[] decryptAscii(String column, byte[] ascii) {
    return ascii(process(false, column, digits(column, ascii)));
  }

  /**
   * True when {@code value} could be an output of this cipher (for verify's shape check): digits
   * only, at least {@link #minDigits()} and at most {@value #MAX_DIGITS}, Luhn-valid in luhn mode.
   * Not a proof: any such string decrypts to something.
   */
  public boolean hasOutputShape(String value) {
    if (value == null || value.length() < minDigits() || value.length() > MAX_DIGITS) {
      return false;
    }
    byte[] d = new byte[value.length()];
    for (int i = 0; i < d.length; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      d[i] = (byte) (c - '0');
    }
    return !options.luhn() || Luhn.valid(d, d.length);
  }

  private byte[] process(boolean encrypt, String column, byte[] d) {
    checkLive();
    int len = d.length;
    int p = prefixLength();
    int m = len - p - tailLength();
    if (m < MIN_ENCRYPTED_DIGITS) {
      throw new FpeInputException("a value of column " + column + " has " + len + " digits; fpe with these options"
          + " encrypts " + Math.max(m, 0) + " of them and needs at least " + MIN_ENCRYPTED_DIGITS
          + " (10^6 values): refused rather than weakly encrypted");
    }
    if (options.luhn() && !Luhn.valid(d, len)) {
      throw new FpeInputException("a value of column " + column + " (" + len + " digits) does not end in a valid"
          + " Luhn check digit, which fpe with luhn requires");
    }
    byte[] out = d.clone();
    engine.init(encrypt, new FPEParameters(subkey, RADIX, tweak(d)));
    engine.processBlock(d, p, m, out, p);
    if (options.luhn() && options.keepLast4()) {
      // Cycle walking: the input passes Luhn, so FF1's cycle through it reaches another value
      // that passes; decrypt walks the same cycle back.
      byte[] step = new byte[m];
      while (!Luhn.valid(out, len)) {
        System.arraycopy(out, p, step, 0, m);
        engine.processBlock(step, 0, m, out, p);
      }
    } else if (options.luhn()) {
      out[len - 1] = (byte) Luhn.checkDigit(out, len - 1);
    }
    Arrays.fill(d, (byte) 0);
    return out;
  }

  /**
   * u16 len | domain | flags | u8 total length | clear prefix digits | clear suffix digits
   * (ASCII). The Luhn check digit of luhn-without-keepLast4 is not clear input, so not bound.
   */
  private byte[] tweak(byte[] d) {
    int p = prefixLength();
    int s = options.keepLast4() ? 4 : 0;
    byte[] t = new byte[2 + domainUtf8.length + 2 + p + s];
    int i = 0;
    t[i++] = (byte) (domainUtf8.length >>> 8);
    t[i++] = (byte) domainUtf8.length;
    System.arraycopy(domainUtf8, 0, t, i, domainUtf8.length);
    i += domainUtf8.length;
    t[i++] = (byte) options.flags();
    t[i++] = (byte) d.length;
    for (int k = 0; k < p; k++) {
      t[i++] = (byte) ('0' + d[k]);
    }
    for (int k = d.length - s; k < d.length; k++) {
      t[i++] = (byte) ('0' + d[k]);
    }
    return t;
  }

  private int prefixLength() {
    return options.keepFirst6() ? 6 : 0;
  }

  private int tailLength() {
    return options.keepLast4() ? 4 : options.luhn() ? 1 : 0;
  }

  private static byte[] digits(String column, String value) {
    if (value == null) {
      throw new IllegalArgumentException("column " + column + ": a null has no fpe form; keep it null");
    }
    int len = value.length();
    if (len > MAX_DIGITS) {
      throw new FpeInputException("a value of column " + column + " has " + len + " characters; fpe takes at most "
          + MAX_DIGITS + " digits");
    }
    byte[] d = new byte[len];
    for (int i = 0; i < len; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new FpeInputException("a value of column " + column + " has a character other than 0-9 at position "
            + (i + 1) + " of " + len + "; fpe takes digits only (strip separators first)");
      }
      d[i] = (byte) (c - '0');
    }
    return d;
  }

  private static byte[] digits(String column, byte[] ascii) {
    if (ascii == null) {
      throw new IllegalArgumentException("column " + column + ": a null has no fpe form; keep it null");
    }
    int len = ascii.length;
    if (len > MAX_DIGITS) {
      throw new FpeInputException("a value of column " + column + " has " + len + " bytes; fpe takes at most "
          + MAX_DIGITS + " digits");
    }
    byte[] d = new byte[len];
    for (int i = 0; i < len; i++) {
      int c = ascii[i];
      if (c < '0' || c > '9') {
        throw new FpeInputException("a value of column " + column + " has a byte other than 0-9 at position "
            + (i + 1) + " of " + len + "; fpe takes digits only (strip separators first)");
      }
      d[i] = (byte) (c - '0');
    }
    return d;
  }

  private static byte[] ascii(byte[] d) {
    for (int i = 0; i < d.length; i++) {
      d[i] += '0';
    }
    return d;
  }

  private void checkLive() {
    if (closed) {
      throw new IllegalStateException("fpe cipher of domain " + domain + " is closed");
    }
  }

  @Override
  public void close() {
    Arrays.fill(subkey.getKey(), (byte) 0);
    // The engine keeps the AES key schedule; re-keying with zeros overwrites it.
    engine.init(true, new FPEParameters(new KeyParameter(new byte[32]), RADIX, new byte[0]));
    closed = true;
  }

  @Override
  public String toString() {
    return "FormatPreservingCipher[domain=" + domain + ", " + options + "]";
  }
}
