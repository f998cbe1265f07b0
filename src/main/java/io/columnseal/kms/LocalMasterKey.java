package io.columnseal.kms;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One master key of the local keyring, AES-256 or HMAC-256 ({@link KeySpec}): its metadata and
 * every version of its material (version n at index n-1). Old versions stay so that DEKs
 * wrapped before a rotation still unwrap, as with KMS automatic rotation. An HMAC key has one
 * version only: KMS does not rotate HMAC keys.
 *
 * <p>Immutable once built; the {@code with*} methods share the version arrays with the
 * original, so only the keyring that last holds them may {@link #destroy()} them.
 */
final class LocalMasterKey {
  static final int KEY_BYTES = 32;

  private final UUID id;
  private final KeySpec spec;
  private final String description;
  private final Instant creationDate;
  private final KeyState state;
  private final List<Version> versions;
  private final int currentVersion;

  LocalMasterKey(UUID id, KeySpec spec, String description, Instant creationDate, KeyState state,
      List<Version> versions, int currentVersion) {
    this.id = Objects.requireNonNull(id);
    this.spec = Objects.requireNonNull(spec);
    this.description = Objects.requireNonNull(description);
    this.creationDate = Objects.requireNonNull(creationDate);
    this.state = Objects.requireNonNull(state);
    this.versions = List.copyOf(versions);
    if (this.versions.isEmpty() || currentVersion < 1 || currentVersion > this.versions.size()) {
      throw new IllegalArgumentException("key " + id + " has no version " + currentVersion);
    }
    if (spec == KeySpec.HMAC_256 && this.versions.size() != 1) {
      throw new IllegalArgumentException("HMAC key " + id + " has " + this.versions.size() + " versions; it has one");
    }
    this.currentVersion = currentVersion;
  }

  UUID id() {
    return id;
  }

  KeySpec spec() {
    return spec;
  }

  String arn() {
    return LocalKeyRef.keyArn(id);
  }

  String description() {
    return description;
  }

  Instant creationDate() {
    return creationDate;
  }

  KeyState state() {
    return state;
  }

  int currentVersion() {
    return currentVersion;
  }

  List<Version> versions() {
    return versions;
  }

  /** The version numbered {@code number} (1-based), or null if the key has none such. */
  Version version(long number) {
    return number >= 1 && number <= versions.size() ? versions.get((int) number - 1) : null;
  }

  Version current() {
    return versions.get(currentVersion - 1);
  }

  LocalMasterKey withState(KeyState newState) {
    return new LocalMasterKey(id, spec, description, creationDate, newState, versions, currentVersion);
  }

  /** Adds {@code material} as the next version and makes it current (key rotation). */
  LocalMasterKey withNewVersion(byte[] material, Instant created) {
    List<Version> more = new ArrayList<>(versions);
    more.add(new Version(versions.size() + 1, created, material));
    return new LocalMasterKey(id, spec, description, creationDate, state, more, more.size());
  }

  void destroy() {
    for (Version v : versions) {
      v.destroy();
    }
  }

  KeyDescription describe() {
    return new KeyDescription(arn(), state);
  }

  LocalKeyInfo info(List<String> aliases) {
    return new LocalKeyInfo(id.toString(), arn(), spec, description, creationDate, state,
        Collections.unmodifiableList(new ArrayList<>(aliases)), versions.size(), currentVersion);
  }

  /** Never prints material. */
  @Override
  public String toString() {
    return "LocalMasterKey[" + arn() + ", " + spec.kmsName() + ", " + state.kmsName() + ", " + versions.size() + " versions]";
  }

  /** One version of the key material. Holds the array it is given; nothing else may keep it. */
  static final class Version {
    private final int number;
    private final Instant created;
    private final byte[] material;

    Version(int number, Instant created, byte[] material) {
      if (material.length != KEY_BYTES) {
        throw new IllegalArgumentException("a master key version is " + KEY_BYTES + " bytes");
      }
      this.number = number;
      this.created = Objects.requireNonNull(created);
      this.material = material;
    }

    int number() {
      return number;
    }

    Instant created() {
      return created;
    }

    /** The live array: callers must neither keep nor change it. */
    byte[] material() {
      return material;
    }

    void destroy() {
      Arrays.fill(material, (byte) 0);
    }

    @Override
    public String toString() {
      return "Version[" + number + "]";
    }
  }
}
