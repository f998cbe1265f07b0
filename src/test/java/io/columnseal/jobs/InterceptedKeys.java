package io.columnseal.jobs;

import io.columnseal.crypto.DataKey;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyUnavailableException;
import io.columnseal.kms.WrappedKey;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A key service for rewrap tests: counts the calls it passes on, and can stop answering after
 * N ReEncrypts (an outage), run a hook after each ReEncrypt (to disable a key midway), or lie
 * by answering ReEncrypt with the wrapping of a brand-new DEK (to prove the sample check).
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

  public InterceptedKeys(KeyService delegate) {
    this.delegate = delegate;
  }

  @Override
  public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
    return delegate.generateDataKey(keyId, dekId, context);
  }

  @Override
  public DataKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
    decrypts.incrementAndGet();
    return delegate.decrypt(wrapped, dekId, context);
  }

  @Override
  public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
    int n = reEncrypts.incrementAndGet();
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
    afterReEncrypt.accept(n);
    return out;
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
