package io.columnseal.kms;

import java.time.Instant;
import java.util.List;

/**
 * What the local keyring lists about a master key: metadata only, never key material.
 *
 * @param keyId the key's UUID
 * @param keyArn {@code arn:aws:kms:local:000000000000:key/<keyId>}
 * @param spec AES-256 (wraps DEKs) or HMAC-256 (makes MACs)
 * @param aliases the {@code alias/<name>} names that point at the key, sorted
 * @param versionCount how many versions of material the key has (1 + rotations)
 * @param currentVersion the version new DEKs are wrapped under (the newest)
 */
public record LocalKeyInfo(
    String keyId,
    String keyArn,
    KeySpec spec,
    String description,
    Instant creationDate,
    KeyState state,
    List<String> aliases,
    int versionCount,
    int currentVersion) {

  public KeyDescription describe() {
    return new KeyDescription(keyArn, state);
  }
}
