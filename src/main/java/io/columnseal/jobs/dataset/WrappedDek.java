package io.columnseal.jobs.dataset;

import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** A manifest DEK as executors need it to unwrap: wrapped blob, key ARN, context. Not secret. */
public final class WrappedDek implements Serializable {
  private static final long serialVersionUID = 1L;

  final String keyArn;
  final byte[] blob;
  final TreeMap<String, String> context;

  WrappedDek(String keyArn, byte[] blob, Map<String, String> context) {
    this.keyArn = keyArn;
    this.blob = blob.clone();
    this.context = new TreeMap<>(context);
  }

  public WrappedKey wrapped() {
    return new WrappedKey(keyArn, blob);
  }

  public EncryptionContext encryptionContext() {
    return EncryptionContext.of(context);
  }
}
