package io.columnseal.crypto.protect;

import io.columnseal.crypto.ColumnSpec;
import io.columnseal.crypto.ValueCodec;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The {@code token} protection (docs/FORMAT.md section 10.4): HMAC-SHA-256 under the domain
 * key's token subkey over the domain, the value type and the value's typed encoding (section 4),
 * truncated to {@code tokenBytes} and written as lower-case hex. Equal values of a domain give
 * equal tokens (joinable); nothing restores the value.
 *
 * <pre>
 * message = u16 len | domain | type_tag | precision | scale | plaintext
 * token   = lower-hex( HMAC-SHA-256(token_subkey, message)[0 .. tokenBytes) )
 * </pre>
 *
 * Not thread-safe (one per task); {@link #close()} clears the MAC state, not the domain key.
 */
public final class Tokenizer implements AutoCloseable {
  public static final int DEFAULT_TOKEN_BYTES = 16;
  /** 64 bits: below that, tokens of a large domain collide (birthday bound 2^32 values). */
  public static final int MIN_TOKEN_BYTES = 8;
  public static final int MAX_TOKEN_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final String domain;
  private final byte[] domainUtf8;
  private final int tokenBytes;
  private final HMac mac = new HMac(new SHA256Digest());
  private final byte[] full = new byte[32];
  private boolean closed;

  private Tokenizer(DomainKey key, int tokenBytes, byte[] subkeyBytes) {
    this.domain = key.domain();
    this.domainUtf8 = key.domainUtf8();
    this.tokenBytes = tokenBytes;
    KeyParameter k = new KeyParameter(subkeyBytes);
    mac.init(k);
    Arrays.fill(k.getKey(), (byte) 0);
    Arrays.fill(subkeyBytes, (byte) 0);
  }

  /**
   * Derives the token subkey of {@code key}; the tokenizer does not own {@code key}.
   *
   * @param tokenBytes bytes of MAC kept, {@value #MIN_TOKEN_BYTES} to {@value #MAX_TOKEN_BYTES}
   *     (a token is twice as many hex characters)
   */
  public static Tokenizer open(DomainKey key, int tokenBytes) {
    if (tokenBytes < MIN_TOKEN_BYTES || tokenBytes > MAX_TOKEN_BYTES) {
      throw new IllegalArgumentException("token length must be " + MIN_TOKEN_BYTES + " to " + MAX_TOKEN_BYTES
          + " bytes, got " + tokenBytes);
    }
    return new Tokenizer(key, tokenBytes, key.derive(DomainKey.INFO_TOKEN));
  }

  public int tokenBytes() {
    return tokenBytes;
  }

  /** True when {@code token} has the shape of a token of {@code tokenBytes} bytes: that many lower-case hex pairs. */
  public static boolean hasTokenShape(String token, int tokenBytes) {
    if (token == null || token.length() != 2 * tokenBytes) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Encodes {@code value} with {@link ValueCodec#encode} and tokenizes it. */
  public String tokenValue(ColumnSpec column, Object value) {
    byte[] plaintext = ValueCodec.encode(column, value);
    try {
      return token(column, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The token of a typed plaintext (section 4 encoding of {@code column}'s type). */
  public String token(ColumnSpec column, byte[] plaintext) {
    return token(column, plaintext, 0, plaintext.length);
  }

  /** The token of {@code len} plaintext bytes from {@code plaintext[off]} (a reused buffer). */
  public String token(ColumnSpec column, byte[] plaintext, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, plaintext.length);
    if (closed) {
      throw new IllegalStateException("tokenizer of domain " + domain + " is closed");
    }
    mac.update((byte) (domainUtf8.length >>> 8));
    mac.update((byte) domainUtf8.length);
    mac.update(domainUtf8, 0, domainUtf8.length);
    mac.update((byte) column.type().tag());
    mac.update((byte) column.precision());
    mac.update((byte) column.scale());
    mac.update(plaintext, off, len);
    mac.doFinal(full, 0);
    return HEX.formatHex(full, 0, tokenBytes);
  }

  @Override
  public void close() {
    // HMac keeps the keyed inner and outer states; re-keying with zeros overwrites them.
    mac.init(new KeyParameter(new byte[32]));
    Arrays.fill(full, (byte) 0);
    closed = true;
  }

  @Override
  public String toString() {
    return "Tokenizer[domain=" + domain + ", bytes=" + tokenBytes + "]";
  }
}
