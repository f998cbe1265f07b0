package io.columnseal.jobs.recovery;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DEK a task attempt made, as it travels from the executor to the driver inside the task's
 * commit message: the wrapped key and its context (not secret) and how many cells it sealed.
 */
public final class SealedDek implements Serializable {
  private static final long serialVersionUID = 1L;

  public final long dekId;
  public final String keyArn;
  public final byte[] wrappedKey;
  public final TreeMap<String, String> context;
  public final long createdMillis;
  public long cells;

  public SealedDek(long dekId, String keyArn, byte[] wrappedKey, Map<String, String> context, long createdMillis) {
    this.dekId = dekId;
    this.keyArn = keyArn;
    this.wrappedKey = wrappedKey.clone();
    this.context = new TreeMap<>(context);
    this.createdMillis = createdMillis;
  }
}
