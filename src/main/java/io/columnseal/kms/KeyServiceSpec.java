package io.columnseal.kms;

import java.io.Serializable;
import java.util.Objects;

/**
 * How to reach a key service, as plain values: resolved and validated on the driver, shipped
 * to executors, where {@link KeyServices#shared(KeyServiceSpec)} builds the client once per
 * JVM. Holds no credentials and no key material.
 */
public final class KeyServiceSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Which backend. */
  public enum Provider {
    LOCAL,
    AWS
  }

  private final Provider provider;
  private final String keyring;
  private final String region;
  private final String endpoint;
  private final String profile;

  private KeyServiceSpec(Provider provider, String keyring, String region, String endpoint, String profile) {
    this.provider = Objects.requireNonNull(provider);
    this.keyring = keyring;
    this.region = region;
    this.endpoint = endpoint;
    this.profile = profile;
  }

  /** The local keyring backend (local development and tests only). */
  public static KeyServiceSpec local(String keyringPath) {
    return new KeyServiceSpec(Provider.LOCAL, Objects.requireNonNull(keyringPath, "keyring"), null, null, null);
  }

  /** AWS KMS; null region, endpoint and profile mean the SDK's default chains. */
  public static KeyServiceSpec aws(String region, String endpoint, String profile) {
    return new KeyServiceSpec(Provider.AWS, null, region, endpoint, profile);
  }

  public Provider provider() {
    return provider;
  }

  public String keyring() {
    return keyring;
  }

  public String region() {
    return region;
  }

  public String endpoint() {
    return endpoint;
  }

  public String profile() {
    return profile;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof KeyServiceSpec)) {
      return false;
    }
    KeyServiceSpec s = (KeyServiceSpec) o;
    return provider == s.provider && Objects.equals(keyring, s.keyring) && Objects.equals(region, s.region)
        && Objects.equals(endpoint, s.endpoint) && Objects.equals(profile, s.profile);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, keyring, region, endpoint, profile);
  }

  @Override
  public String toString() {
    return provider == Provider.LOCAL ? "local keyring " + keyring
        : "aws kms" + (region == null ? "" : " " + region) + (endpoint == null ? "" : " via " + endpoint);
  }
}
