package io.columnseal.kms;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import javax.crypto.AEADBadTagException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyService} backed by a JSON keyring file of AES-256 and HMAC-256 master keys. <b>For local
 * development and tests only:</b> the master keys sit unprotected in a file (owner-only, 0600),
 * with no access control, audit trail or hardware protection. Never use it for production data.
 *
 * <p>It keeps AWS KMS semantics so that jobs behave the same on both backends: key ids, key ARNs
 * ({@code arn:aws:kms:local:000000000000:key/<uuid>}) and aliases; the encryption context bound to
 * every wrapped DEK; rotation that adds a version while older versions still decrypt;
 * disabled keys that refuse GenerateDataKey, Decrypt and ReEncrypt; ReEncrypt that never
 * returns the plaintext. The wrapped blob is documented in docs/FORMAT.md section 6.
 *
 * <p>Threads: the KMS operations use the in-memory snapshot loaded at open (or refreshed by this
 * object's admin calls) under a read lock, so many tasks may call them at once. Changes made by
 * another process show up here only after reopening or after an admin call on this object.
 * Admin calls re-read the file under a file lock, so concurrent writers never lose each
 * other's keys.
 */
public final class LocalKeyring implements KeyService {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKeyring.class);

  static final String GENERATE = "GenerateDataKey";
  static final String DECRYPT = "Decrypt";
  static final String REENCRYPT = "ReEncrypt";
  static final String DESCRIBE = "DescribeKey";
  static final String OPEN = "OpenKeyring";
  static final String CREATE_KEY = "CreateKey";
  static final String LIST_KEYS = "ListKeys";
  static final String ROTATE = "RotateKeyOnDemand";
  static final String DISABLE = "DisableKey";
  static final String ENABLE = "EnableKey";
  static final String CREATE_ALIAS = "CreateAlias";
  static final String GENERATE_MAC = "GenerateMac";
  static final String VERIFY_MAC = "VerifyMac";
  /** KMS's bounds on the message of GenerateMac and VerifyMac. */
  static final int MAX_MAC_MESSAGE = 4096;

  private final LocalKeyringFile file;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
  private LocalKeyringContents snapshot; // guarded by guard
  private boolean closed; // guarded by guard

  private LocalKeyring(LocalKeyringFile file, Clock clock, LocalKeyringContents snapshot) {
    this.file = file;
    this.clock = clock;
    this.snapshot = snapshot;
    LOG.warn("Opened local keyring {} ({} keys): for local development and tests only, never for production data",
        file.path(), snapshot.keys().size());
  }

  /**
   * Opens an existing keyring.
   *
   * @throws KeyNotFoundException if there is no file at {@code path}
   * @throws CorruptKeyringException if the file is not a valid keyring of a known format version
   */
  public static LocalKeyring open(Path path) {
    return open(path, Clock.systemUTC());
  }

  /** As {@link #open(Path)}, with the clock that stamps new keys and versions. */
  public static LocalKeyring open(Path path, Clock clock) {
    LocalKeyringFile file = new LocalKeyringFile(path);
    return new LocalKeyring(file, Objects.requireNonNull(clock), file.read(OPEN));
  }

  /** Opens the keyring, first creating an empty one (mode 0600) if there is no file yet. */
  public static LocalKeyring createOrOpen(Path path) {
    return createOrOpen(path, Clock.systemUTC());
  }

  public static LocalKeyring createOrOpen(Path path, Clock clock) {
    LocalKeyringFile file = new LocalKeyringFile(path);
    LocalKeyringContents contents = file.locked(OPEN, () -> {
      if (file.exists()) {
        return file.read(OPEN);
      }
      LocalKeyringContents empty = LocalKeyringContents.empty();
      file.write(empty, OPEN, "-");
      LOG.info("Created empty local keyring {}", file.path());
      return empty;
    });
    return new LocalKeyring(file, Objects.requireNonNull(clock), contents);
  }

  public Path path() {
    return file.path();
  }

  /** The keyring file: whoever can read it holds every key in it, so the path is the principal. */
  @Override
  public String identity() {
    return "local|" + file.path().toAbsolutePath().normalize();
  }

  // ---- Admin operations: each re-reads the file under the lock, changes it, writes it back.

  /**
   * CreateKey: a new enabled AES-256 key with one version of random material, and optionally an
   * alias ({@code alias/<name>}, or a bare name that gets the prefix).
   *
   * @throws AliasExistsException if the alias already names a key
   * @throws IllegalArgumentException if the alias breaks the KMS alias rules
   */
  public KeyDescription createKey(String aliasOrNull, String description) {
    return createKey(aliasOrNull, description, KeySpec.SYMMETRIC_DEFAULT);
  }

  /**
   * CreateKey of either spec: {@link KeySpec#SYMMETRIC_DEFAULT} (wraps DEKs) or
   * {@link KeySpec#HMAC_256} (256 random bits for GenerateMac/VerifyMac, stored like AES
   * material; never rotated).
   */
  public KeyDescription createKey(String aliasOrNull, String description, KeySpec spec) {
    Objects.requireNonNull(spec, "spec");
    String alias = aliasOrNull == null ? null : LocalKeyRef.aliasName(aliasOrNull);
    String text = description == null ? "" : description;
    String ref = alias == null ? "-" : alias;
    return update(CREATE_KEY, ref, current -> {
      if (alias != null && current.aliases().containsKey(alias)) {
        throw aliasExists(CREATE_KEY, alias, current);
      }
      LocalMasterKey key = new LocalMasterKey(UUID.randomUUID(), spec, text, clock.instant(), KeyState.ENABLED,
          List.of(new LocalMasterKey.Version(1, clock.instant(), newMaterial())), 1);
      LocalKeyringContents next = current.withKey(key);
      if (alias != null) {
        next = next.withAlias(alias, key.id());
      }
      LOG.info("Created {} key {}{} in local keyring {}", spec.kmsName(), key.arn(), alias == null ? "" : " (" + alias + ")",
          path());
      return new Change<>(next, key.describe());
    });
  }

  /** ListKeys with their aliases and version counts, in creation order; re-reads the file. */
  public List<LocalKeyInfo> listKeys() {
    return update(LIST_KEYS, "-", current -> {
      List<LocalKeyInfo> out = new ArrayList<>();
      for (LocalMasterKey k : current.keys()) {
        out.add(k.info(current.aliasesOf(k.id())));
      }
      return new Change<>(current, List.copyOf(out));
    });
  }

  /**
   * RotateKeyOnDemand: adds a version of new material and makes it current. DEKs wrapped under
   * older versions still decrypt; {@link #reEncrypt} moves them to the new version.
   *
   * @throws KeyDisabledException if the key is not enabled
   * @throws KmsRequestRejectedException for an HMAC key: KMS does not rotate those
   */
  public LocalKeyInfo rotate(String keyRef) {
    return update(ROTATE, keyRef, current -> {
      LocalMasterKey key = resolve(current, keyRef, ROTATE);
      if (key.spec() == KeySpec.HMAC_256) {
        // As KMS, whose rotation (automatic or on demand) is for symmetric encryption keys only.
        throw new KmsRequestRejectedException(ROTATE, keyRef, "key " + key.arn() + " is an HMAC_256 key, and HMAC keys"
            + " do not rotate (as in KMS); create a new HMAC key instead (local keyring " + path() + ")");
      }
      requireEnabled(key, keyRef, ROTATE);
      LocalMasterKey rotated = key.withNewVersion(newMaterial(), clock.instant());
      LOG.info("Rotated key {} to version {} in local keyring {}", key.arn(), rotated.currentVersion(), path());
      return new Change<>(current.withKey(rotated), rotated.info(current.aliasesOf(key.id())));
    });
  }

  /** DisableKey. A key pending deletion cannot be disabled or enabled (KMS invalid state). */
  public KeyDescription disable(String keyRef) {
    return setState(DISABLE, keyRef, KeyState.DISABLED);
  }

  /** EnableKey. */
  public KeyDescription enable(String keyRef) {
    return setState(ENABLE, keyRef, KeyState.ENABLED);
  }

  /**
   * CreateAlias: points a new alias at a key.
   *
   * @throws AliasExistsException if the alias already names a key (aliases are not moved)
   */
  public KeyDescription createAlias(String alias, String keyRef) {
    String name = LocalKeyRef.aliasName(Objects.requireNonNull(alias, "alias"));
    return update(CREATE_ALIAS, name, current -> {
      if (current.aliases().containsKey(name)) {
        throw aliasExists(CREATE_ALIAS, name, current);
      }
      LocalMasterKey key = resolve(current, keyRef, CREATE_ALIAS);
      LOG.info("Alias {} now names key {} in local keyring {}", name, key.arn(), path());
      return new Change<>(current.withAlias(name, key.id()), key.describe());
    });
  }

  // ---- KeyService: read-only, on the snapshot.

  @Override
  public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
    Objects.requireNonNull(dekId, "dekId");
    Objects.requireNonNull(context, "context");
    return read(s -> {
      LocalMasterKey key = resolve(s, keyId, GENERATE);
      requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, keyId, GENERATE);
      requireEnabled(key, keyId, GENERATE);
      byte[] dek = new byte[LocalKeyBlob.DEK_BYTES];
      try {
        random.nextBytes(dek);
        byte[] blob = wrapUnderCurrent(key, dek, context);
        return new GeneratedDataKey(SealingKey.of(dekId, dek), new WrappedKey(key.arn(), blob));
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
    });
  }

  @Override
  public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
    Objects.requireNonNull(dekId, "dekId");
    Objects.requireNonNull(context, "context");
    return read(s -> {
      byte[] blob = wrapped.blob();
      LocalMasterKey key = sourceKey(s, wrapped, blob, DECRYPT);
      byte[] dek = unwrap(key, blob, context, wrapped.keyArn(), DECRYPT);
      try {
        return OpeningKey.of(dekId, dek);
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
    });
  }

  @Override
  public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
    Objects.requireNonNull(context, "context");
    return read(s -> {
      byte[] blob = wrapped.blob();
      LocalMasterKey source = sourceKey(s, wrapped, blob, REENCRYPT);
      LocalMasterKey destination = resolve(s, destinationKeyId, REENCRYPT);
      requireUsage(destination, KeySpec.SYMMETRIC_DEFAULT, destinationKeyId, REENCRYPT);
      requireEnabled(destination, destinationKeyId, REENCRYPT);
      byte[] dek = unwrap(source, blob, context, wrapped.keyArn(), REENCRYPT);
      try {
        return new WrappedKey(destination.arn(), wrapUnderCurrent(destination, dek, context));
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
    });
  }

  @Override
  public GeneratedMac generateMac(String keyId, byte[] message) {
    Objects.requireNonNull(message, "message");
    return read(s -> {
      LocalMasterKey key = macKey(s, keyId, message, GENERATE_MAC);
      return new GeneratedMac(key.arn(), LocalMac.hmacSha256(key.current().material(), message));
    });
  }

  @Override
  public boolean verifyMac(String keyId, byte[] message, byte[] mac) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(mac, "mac");
    return read(s -> {
      LocalMasterKey key = macKey(s, keyId, message, VERIFY_MAC);
      byte[] expected = LocalMac.hmacSha256(key.current().material(), message);
      return MessageDigest.isEqual(expected, mac); // constant time; a wrong length is simply false
    });
  }

  @Override
  public KeyDescription describeKey(String keyId) {
    return read(s -> resolve(s, keyId, DESCRIBE).describe());
  }

  /** Zeroes the master keys held in memory; later calls fail. */
  @Override
  public void close() {
    guard.writeLock().lock();
    try {
      if (!closed) {
        snapshot.destroy();
        closed = true;
      }
    } finally {
      guard.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "LocalKeyring[" + file.path() + "]";
  }

  // ---- Internals.

  /** The key a ciphertext names, after checking it is the key the caller expects and enabled. */
  private LocalMasterKey sourceKey(LocalKeyringContents s, WrappedKey wrapped, byte[] blob, String operation) {
    String expected = wrapped.keyArn();
    String problem = LocalKeyBlob.shapeProblem(blob);
    if (problem != null) {
      throw new InvalidCiphertextException(operation, expected, problem + " (local keyring " + path() + ")");
    }
    LocalMasterKey key = resolve(s, expected, operation);
    requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, expected, operation);
    UUID wrappedBy = LocalKeyBlob.keyIdOf(blob);
    if (!wrappedBy.equals(key.id())) {
      throw new KeyMismatchException(operation, expected, "the ciphertext was wrapped by key "
          + LocalKeyRef.keyArn(wrappedBy) + ", not by " + key.arn() + " (local keyring " + path() + ")");
    }
    requireEnabled(key, expected, operation);
    return key;
  }

  private byte[] unwrap(LocalMasterKey key, byte[] blob, EncryptionContext context, String ref, String operation) {
    long number = LocalKeyBlob.keyVersionOf(blob);
    LocalMasterKey.Version version = key.version(number);
    if (version == null) {
      throw new InvalidCiphertextException(operation, ref, "the ciphertext names version " + number + " of key "
          + key.arn() + ", which has versions 1 to " + key.versions().size() + " (local keyring " + path() + ")");
    }
    try {
      return LocalKeyBlob.unwrap(version.material(), blob, context);
    } catch (AEADBadTagException e) {
      // Not chained: nothing in it helps, and KMS gives no detail either.
      throw new InvalidCiphertextException(operation, ref, "the ciphertext does not authenticate under key "
          + key.arn() + " version " + number + ": it was altered, or the encryption context differs"
          + " (local keyring " + path() + ")");
    }
  }

  private byte[] wrapUnderCurrent(LocalMasterKey key, byte[] dek, EncryptionContext context) {
    byte[] nonce = new byte[LocalKeyBlob.NONCE_BYTES];
    random.nextBytes(nonce);
    LocalMasterKey.Version current = key.current();
    return LocalKeyBlob.wrap(current.material(), key.id(), current.number(), nonce, dek, context);
  }

  private LocalMasterKey resolve(LocalKeyringContents s, String ref, String operation) {
    LocalKeyRef parsed = LocalKeyRef.parse(ref);
    LocalMasterKey key = s.find(parsed);
    if (key == null) {
      throw new KeyNotFoundException(operation, LocalKeyRef.printable(ref), parsed == null
          ? LocalKeyRef.formProblem(ref) + " (local keyring " + path() + ")"
          : "no such key or alias in local keyring " + path());
    }
    return key;
  }

  /** The HMAC key for GenerateMac/VerifyMac, checked as KMS checks it. */
  private LocalMasterKey macKey(LocalKeyringContents s, String keyId, byte[] message, String operation) {
    LocalMasterKey key = resolve(s, keyId, operation);
    requireUsage(key, KeySpec.HMAC_256, keyId, operation);
    requireEnabled(key, keyId, operation);
    if (message.length < 1 || message.length > MAX_MAC_MESSAGE) {
      throw new KmsRequestRejectedException(operation, keyId, "the message is " + message.length
          + " bytes; KMS takes 1 to " + MAX_MAC_MESSAGE + " (local keyring " + path() + ")");
    }
    return key;
  }

  /** KMS's InvalidKeyUsageException: an AES key does no MACs, an HMAC key wraps no DEKs. */
  private void requireUsage(LocalMasterKey key, KeySpec needed, String ref, String operation) {
    if (key.spec() != needed) {
      throw new InvalidKeyUsageException(operation, ref, "key " + key.arn() + " has key usage " + key.spec().keyUsage()
          + ", and " + operation + " needs a " + needed.kmsName() + " key with usage " + needed.keyUsage()
          + " (local keyring " + path() + ")");
    }
  }

  private void requireEnabled(LocalMasterKey key, String ref, String operation) {
    if (key.state() != KeyState.ENABLED) {
      throw new KeyDisabledException(operation, ref, "key " + key.arn() + " is " + key.state().kmsName()
          + " in local keyring " + path());
    }
  }

  private KeyDescription setState(String operation, String keyRef, KeyState target) {
    return update(operation, keyRef, current -> {
      LocalMasterKey key = resolve(current, keyRef, operation);
      if (key.state() == KeyState.PENDING_DELETION) {
        throw new KeyDisabledException(operation, keyRef, "key " + key.arn()
            + " is pending deletion in local keyring " + path() + "; it can be neither enabled nor disabled");
      }
      if (key.state() == target) {
        return new Change<>(current, key.describe());
      }
      LocalMasterKey changed = key.withState(target);
      LOG.info("Key {} is now {} in local keyring {}", key.arn(), target.kmsName(), path());
      return new Change<>(current.withKey(changed), changed.describe());
    });
  }

  private AliasExistsException aliasExists(String operation, String alias, LocalKeyringContents current) {
    return new AliasExistsException(operation, alias, "the alias already names key "
        + LocalKeyRef.keyArn(current.aliases().get(alias)) + " in local keyring " + path());
  }

  private byte[] newMaterial() {
    byte[] material = new byte[LocalMasterKey.KEY_BYTES];
    random.nextBytes(material);
    return material;
  }

  private <T> T read(Function<LocalKeyringContents, T> operation) {
    guard.readLock().lock();
    try {
      checkOpen();
      return operation.apply(snapshot);
    } finally {
      guard.readLock().unlock();
    }
  }

  /**
   * Re-reads the file under the lock, applies {@code change}, writes the result if it differs,
   * and makes it this object's snapshot. On any failure the file and the snapshot stay as they
   * were and the material read for the attempt is zeroed.
   */
  private <T> T update(String operation, String keyRef, Function<LocalKeyringContents, Change<T>> change) {
    checkOpenNow();
    return file.locked(operation, () -> {
      LocalKeyringContents current = file.read(operation);
      Change<T> result = null;
      try {
        result = change.apply(current);
        if (result.contents != current) {
          file.write(result.contents, operation, keyRef);
        }
        install(result.contents);
        return result.value;
      } catch (RuntimeException e) {
        current.destroy();
        if (result != null) {
          result.contents.destroy();
        }
        throw e;
      }
    });
  }

  /** Swaps in a fresh snapshot; readers hold the read lock, so none is using the old one. */
  private void install(LocalKeyringContents fresh) {
    guard.writeLock().lock();
    try {
      checkOpen();
      snapshot.destroy();
      snapshot = fresh;
    } finally {
      guard.writeLock().unlock();
    }
  }

  private void checkOpenNow() {
    guard.readLock().lock();
    try {
      checkOpen();
    } finally {
      guard.readLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("local keyring " + file.path() + " is closed");
    }
  }

  /** The keyring after an admin call, and what the call returns. */
  private static final class Change<T> {
    final LocalKeyringContents contents;
    final T value;

    Change(LocalKeyringContents contents, T value) {
      this.contents = contents;
      this.value = value;
    }
  }
}
