package io.columnseal.jobs;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyUnavailableException;
import io.columnseal.kms.WrappedKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A key service for rewrap tests: counts the calls it passes on, and can stop answering after
 * N ReEncrypts (an outage), run a hook after each ReEncrypt (to disable a key midway), or lie
 * by answering ReEncrypt with the wrapping of a brand-new DEK or with a damaged blob (to prove
 * the sample checks).
 */
public final class InterceptedKeys implements KeyService {
  public final KeyService delegate;
  public final AtomicInteger reEncrypts = new AtomicInteger();
  public final AtomicInteger decrypts = new AtomicInteger();
  public final AtomicInteger describes = new AtomicInteger();
  /** ReEncrypt calls after this many fail as if KMS were unreachable. */
  public volatile int outageAfter = Integer.MAX_VALUE;
  /** Called with the number of each ReEncrypt that succeeded. */
  public volatile IntConsumer afterReEncrypt = n -> {};
  /** Answer ReEncrypt with a new DEK's wrapping under the destination (a KMS bug the sample check must catch). */
  public volatile boolean swapDeks;
  /** Answer ReEncrypt with the new blob's last byte flipped: a wrapping no key unwraps. */
  public volatile boolean corruptBlobs;
  /** The source key ARN of each ReEncrypt passed on, in call order. */
  public final List<String> reEncryptSources = Collections.synchronizedList(new ArrayList<>());

  public InterceptedKeys(KeyService delegate) {
    this.delegate = delegate;
  }

  @Override
  public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
    return delegate.generateDataKey(keyId, dekId, context);
  }

  @Override
  public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
    decrypts.incrementAndGet();
    return delegate.decrypt(wrapped, dekId, context);
  }

  @Override
  public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
    int n = reEncrypts.incrementAndGet();
    reEncryptSources.add(wrapped.keyArn());
    if (n > outageAfter) {
      throw new KeyUnavailableException("ReEncrypt", wrapped.keyArn(), "no answer from KMS (simulated outage)");
    }
    WrappedKey out;
    if (swapDeks) {
      GeneratedDataKey other = delegate.generateDataKey(destinationKeyId,
          DekId.parse(context.get(EncryptionContext.DEK)), context);
      other.plaintext().destroy();
      out = other.wrapped();
    } else {
      out = delegate.reEncrypt(wrapped, context, destinationKeyId);
    }
    if (corruptBlobs) {
      byte[] blob = out.blob();
      blob[blob.length - 1] ^= 1;
      out = new WrappedKey(out.keyArn(), blob);
    }
    afterReEncrypt.accept(n);
    return out;
  }

  /** ReEncrypts whose source was {@code keyArn}. */
  public long reEncryptsFrom(String keyArn) {
    synchronized (reEncryptSources) {
      return reEncryptSources.stream().filter(keyArn::equals).count();
    }
  }

  @Override
  public io.columnseal.kms.GeneratedMac generateMac(String keyId, byte[] message) {
    return delegate.generateMac(keyId, message);
  }

  @Override
  public boolean verifyMac(String keyId, byte[] message, byte[] mac) {
    return delegate.verifyMac(keyId, message, mac);
  }

  @Override
  public String verifyMacKey(String keyId, byte[] message, byte[] mac) {
    return delegate.verifyMacKey(keyId, message, mac);
  }

  @Override
  public void checkGenerateDataKey(String keyId, io.columnseal.kms.EncryptionContext context) {
    delegate.checkGenerateDataKey(keyId, context);
  }

  @Override
  public String identity() {
    return delegate.identity();
  }

  @Override
  public KeyDescription describeKey(String keyId) {
    describes.incrementAndGet();
    return delegate.describeKey(keyId);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
