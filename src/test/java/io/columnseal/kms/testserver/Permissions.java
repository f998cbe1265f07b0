package io.columnseal.kms.testserver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which KMS actions each principal (access key id) may call. A principal with no entry may
 * call everything; once restricted, only the listed actions ({@code kms:Decrypt}, or a
 * prefix pattern such as {@code kms:ReEncrypt*} or {@code kms:*}). A denied call answers
 * AccessDeniedException (HTTP 400), as KMS does.
 */
public final class Permissions {
  private final Map<String, List<String>> allowed = new ConcurrentHashMap<>();
  /** Principal -> action -> the only key ARNs it may be called on (a key policy per key). */
  private final Map<String, Map<String, java.util.Set<String>>> onKeys = new ConcurrentHashMap<>();

  /**
   * From now on {@code accessKeyId} may call {@code action} only on {@code keyArns} (as the
   * request's KeyId names them), on top of what {@link #restrict} allows it.
   */
  public Permissions onlyOnKeys(String accessKeyId, String action, String... keyArns) {
    onKeys.computeIfAbsent(accessKeyId, k -> new ConcurrentHashMap<>()).put(action, java.util.Set.of(keyArns));
    return this;
  }

  /** {@link #allows(String, String)}, and the key-scoped rule of {@link #onlyOnKeys} for {@code resource}. */
  public boolean allows(String accessKeyId, String action, String resource) {
    java.util.Set<String> keys = onKeys.getOrDefault(accessKeyId, Map.of()).get(action);
    return allows(accessKeyId, action) && (keys == null || keys.contains(resource));
  }

  /** From now on {@code accessKeyId} may call only {@code actions}. */
  public Permissions restrict(String accessKeyId, String... actions) {
    for (String a : actions) {
      if (!a.startsWith("kms:")) {
        throw new IllegalArgumentException("actions look like kms:Decrypt, got " + a);
      }
    }
    allowed.put(accessKeyId, List.of(actions));
    return this;
  }

  /** Lifts the restriction of one principal. */
  public Permissions allowAll(String accessKeyId) {
    allowed.remove(accessKeyId);
    return this;
  }

  /** Everyone may call everything again. */
  public void clear() {
    allowed.clear();
    onKeys.clear();
  }

  public boolean allows(String accessKeyId, String action) {
    List<String> list = allowed.get(accessKeyId);
    if (list == null) {
      return true;
    }
    for (String pattern : list) {
      boolean match = pattern.endsWith("*")
          ? action.startsWith(pattern.substring(0, pattern.length() - 1))
          : action.equals(pattern);
      if (match) {
        return true;
      }
    }
    return false;
  }
}
