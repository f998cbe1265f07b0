package io.columnseal.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.crypto.keytools.KmsClient;

/**
 * Benchmark only: a Parquet Modular Encryption KMS client whose master keys live in memory
 * (each derived from its id by SHA-256, so every instance in the JVM agrees), wrapping with
 * AES-256-GCM. It stands in for a real KMS so that the side-by-side run measures the
 * encryption, not a network. Not a key service anyone should use.
 */
public final class BenchKmsClient implements KmsClient {
  /** wrapKey calls in this JVM, for the benchmark's KMS column. */
  static final AtomicLong WRAPS = new AtomicLong();
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public void initialize(Configuration configuration, String kmsInstanceID, String kmsInstanceURL,
      String accessToken) {}

  @Override
  public String wrapKey(byte[] keyBytes, String masterKeyIdentifier) {
    WRAPS.incrementAndGet();
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] sealed = cipher(Cipher.ENCRYPT_MODE, masterKeyIdentifier, nonce, keyBytes);
    byte[] out = new byte[12 + sealed.length];
    System.arraycopy(nonce, 0, out, 0, 12);
    System.arraycopy(sealed, 0, out, 12, sealed.length);
    return Base64.getEncoder().encodeToString(out);
  }

  @Override
  public byte[] unwrapKey(String wrappedKey, String masterKeyIdentifier) {
    byte[] in = Base64.getDecoder().decode(wrappedKey);
    byte[] nonce = java.util.Arrays.copyOf(in, 12);
    byte[] sealed = java.util.Arrays.copyOfRange(in, 12, in.length);
    return cipher(Cipher.DECRYPT_MODE, masterKeyIdentifier, nonce, sealed);
  }

  private static byte[] cipher(int mode, String masterKeyId, byte[] nonce, byte[] data) {
    try {
      byte[] master = MessageDigest.getInstance("SHA-256")
          .digest(("columnseal bench master key " + masterKeyId).getBytes(StandardCharsets.UTF_8));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(master, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(masterKeyId.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(data);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new KeyAccessDeniedException("wrapped key does not open under master key " + masterKeyId);
    } catch (GeneralSecurityException e) {
      throw new ParquetCryptoRuntimeException("bench KMS failed under master key " + masterKeyId, e);
    }
  }
}
