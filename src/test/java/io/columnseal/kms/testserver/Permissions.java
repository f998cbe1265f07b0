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
