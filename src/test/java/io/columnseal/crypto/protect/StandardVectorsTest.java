package io.columnseal.crypto.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.fpe.FPEFF1Engine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.FPEParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The primitives under the protections, against their standards' published vectors, called the
 * way the protections call them: AES-256-GCM-SIV (RFC 8452 appendix C.2 and C.3, bcprov
 * GCMSIVBlockCipher with AEADParameters), FF1 radix 10 with AES-256 (NIST SP 800-38G FF1
 * samples 7 and 8, bcprov FPEFF1Engine with FPEParameters), and HKDF-SHA256 (RFC 5869 A.1, A.3,
 * through {@link DomainKey#hkdfSha256}).
 */
class StandardVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String RFC8452_KEY = "0100000000000000000000000000000000000000000000000000000000000000";

  @ParameterizedTest(name = "RFC 8452 {0}")
  @CsvSource({
      // name, key, nonce, aad, plaintext, ciphertext||tag
      "C.2 empty, " + RFC8452_KEY + ", 030000000000000000000000, '', '', 07f5f4169bbf55a8400cd47ea6fd400f",
      "C.2 8-byte, " + RFC8452_KEY + ", 030000000000000000000000, '', 0100000000000000, c2ef328e5c71c83b843122130f7364b761e0b97427e3df28",
      "C.2 aad 01, " + RFC8452_KEY + ", 030000000000000000000000, 01, 0200000000000000, 1de22967237a813291213f267e3b452f02d01ae33e4ec854",
      "C.2 random key, bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269, e4b47801afc0577e34699b9e, 4fbdc66f14, 671fdd, 0eaccb93da9bb81333aee0c785b240d319719d",
      "C.3 counter wrap, 0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', eb3640277c7ffd1303c7a542d02d3e4c0000000000000000, 18ce4f0b8cb4d0cac65fea8f79257b20888e53e72299e56dffffffff000000000000000000000000"})
  void aes256GcmSiv(String name, String key, String nonce, String aad, String plaintext, String expected) throws Exception {
    byte[] pt = HEX.parseHex(plaintext);
    GCMSIVBlockCipher enc = new GCMSIVBlockCipher();
    enc.init(true, new AEADParameters(new KeyParameter(HEX.parseHex(key)), 128, HEX.parseHex(nonce), HEX.parseHex(aad)));
    byte[] out = new byte[enc.getOutputSize(pt.length)];
    int n = enc.processBytes(pt, 0, pt.length, out, 0);
    enc.doFinal(out, n);
    assertEquals(expected, HEX.formatHex(out));

    GCMSIVBlockCipher dec = new GCMSIVBlockCipher();
    dec.init(false, new AEADParameters(new KeyParameter(HEX.parseHex(key)), 128, HEX.parseHex(nonce), HEX.parseHex(aad)));
    byte[] back = new byte[dec.getOutputSize(out.length)];
    int m = dec.processBytes(out, 0, out.length, back, 0);
    dec.doFinal(back, m);
    assertArrayEquals(pt, back);
  }

  @ParameterizedTest(name = "SP 800-38G FF1 {0}")
  @CsvSource({
      "sample 7, '', 0123456789, 6657667009",
      "sample 8, 39383736353433323130, 0123456789, 1001623463"})
  void ff1Aes256Radix10(String name, String tweak, String plaintext, String expected) {
    byte[] key = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3cef4359d8d580aa4f7f036d6f04fc6a94");
    byte[] pt = digits(plaintext);
    FPEFF1Engine enc = new FPEFF1Engine();
    enc.init(true, new FPEParameters(new KeyParameter(key), 10, HEX.parseHex(tweak)));
    byte[] ct = new byte[pt.length];
    enc.processBlock(pt, 0, pt.length, ct, 0);
    assertEquals(expected, text(ct));

    FPEFF1Engine dec = new FPEFF1Engine();
    dec.init(false, new FPEParameters(new KeyParameter(key), 10, HEX.parseHex(tweak)));
    byte[] back = new byte[ct.length];
    dec.processBlock(ct, 0, ct.length, back, 0);
    assertEquals(plaintext, text(back));
  }

  @ParameterizedTest(name = "RFC 5869 {0}")
  @CsvSource({
      "A.1, 000102030405060708090a0b0c, f0f1f2f3f4f5f6f7f8f9, 3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
      "A.3, '', '', 8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"})
  void hkdfSha256(String name, String salt, String info, String okm) {
    byte[] ikm = HEX.parseHex("0b".repeat(22));
    assertEquals(okm, HEX.formatHex(DomainKey.hkdfSha256(ikm, HEX.parseHex(salt), HEX.parseHex(info), 42)));
  }

  @org.junit.jupiter.api.Test
  void anEmptySaltIsTheSameAsNone() {
    byte[] ikm = HEX.parseHex("0b".repeat(22));
    byte[] info = "columnseal ff1 v1".getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(DomainKey.hkdfSha256(ikm, new byte[0], info, 32), DomainKey.hkdfSha256(ikm, null, info, 32));
  }

  private static byte[] digits(String s) {
    byte[] d = new byte[s.length()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) (s.charAt(i) - '0');
    }
    return d;
  }

  private static String text(byte[] d) {
    StringBuilder s = new StringBuilder();
    for (byte b : d) {
      s.append((char) ('0' + b));
    }
    return s.toString();
  }
}
