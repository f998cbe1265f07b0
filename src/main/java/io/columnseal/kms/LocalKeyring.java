package io.columnseal.kms;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.SealingKey;
import io.columnseal.crypto.protect.DomainKey;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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

  private final LocalKeyringStore store;
  private final LocalKeyChecks checks;
  private final LocalKeyAdmin admin;
  private final SecureRandom random = new SecureRandom();

  private LocalKeyring(LocalKeyringFile file, Clock clock, LocalKeyringContents snapshot) {
    this.store = new LocalKeyringStore(file, snapshot);
    this.checks = new LocalKeyChecks(file.path());
    this.admin = new LocalKeyAdmin(store, clock);
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
    return store.path();
  }

  /** The keyring file: whoever can read it holds every key in it, so the path is the principal. */
  @Override
  public String identity() {
    return "local|" + store.path().toAbsolutePath().normalize();
  }

  // ---- Admin operations (LocalKeyAdmin): each re-reads the file under its lock, changes it, writes it back.

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
    return admin.createKey(aliasOrNull, description, spec);
  }

  /** ListKeys with their aliases and version counts, in creation order; re-reads the file. */
  public List<LocalKeyInfo> listKeys() {
    return admin.listKeys();
  }

  /**
   * RotateKeyOnDemand: adds a version of new material and makes it current. DEKs wrapped under
   * older versions still decrypt; {@link #reEncrypt} moves them to the new version.
   *
   * @throws KeyDisabledException if the key is not enabled
   * @throws KmsRequestRejectedException for an HMAC key: KMS does not rotate those
   */
  public LocalKeyInfo rotate(String keyRef) {
    return admin.rotate(keyRef);
  }

  /** DisableKey. A key pending deletion cannot be disabled or enabled (KMS invalid state). */
  public KeyDescription disable(String keyRef) {
    return admin.setState(DISABLE, keyRef, KeyState.DISABLED);
  }

  /** EnableKey. */
  public KeyDescription enable(String keyRef) {
    return admin.setState(ENABLE, keyRef, KeyState.ENABLED);
  }

  /**
   * CreateAlias: points a new alias at a key.
   *
   * @throws AliasExistsException if the alias already names a key (aliases are not moved)
   */
  public KeyDescription createAlias(String alias, String keyRef) {
    return admin.createAlias(alias, keyRef);
  }

  // ---- KeyService: read-only, on the snapshot (LocalKeyringStore), checked as KMS checks (LocalKeyChecks).

  @Override
  public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
    Objects.requireNonNull(dekId, "dekId");
    Objects.requireNonNull(context, "context");
    return store.read(s -> {
      LocalMasterKey key = checks.resolve(s, keyId, GENERATE);
      checks.requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, keyId, GENERATE);
      checks.requireEnabled(key, keyId, GENERATE);
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
    return store.read(s -> {
      byte[] blob = wrapped.blob();
      LocalMasterKey key = checks.sourceKey(s, wrapped, blob, DECRYPT);
      byte[] dek = checks.unwrap(key, blob, context, wrapped.keyArn(), DECRYPT);
      try {
        return OpeningKey.of(dekId, dek);
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
    });
  }

  @Override
  public GeneratedDomainKey generateDomainKey(String keyId, String domain, DekId id, EncryptionContext context) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(context, "context");
    return store.read(s -> {
      LocalMasterKey key = checks.resolve(s, keyId, GENERATE);
      checks.requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, keyId, GENERATE);
      checks.requireEnabled(key, keyId, GENERATE);
      byte[] plain = new byte[LocalKeyBlob.DEK_BYTES];
      try {
        random.nextBytes(plain);
        byte[] blob = wrapUnderCurrent(key, plain, context);
        return new GeneratedDomainKey(DomainKey.of(domain, id, plain), new WrappedKey(key.arn(), blob));
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    });
  }

  @Override
  public DomainKey decryptDomainKey(WrappedKey wrapped, String domain, DekId id, EncryptionContext context) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(context, "context");
    return store.read(s -> {
      byte[] blob = wrapped.blob();
      LocalMasterKey key = checks.sourceKey(s, wrapped, blob, DECRYPT);
      byte[] plain;
      try {
        plain = checks.unwrap(key, blob, context, wrapped.keyArn(), DECRYPT);
      } catch (InvalidCiphertextException e) {
        // Name the domain, as the AWS backend's message does.
        throw new InvalidCiphertextException(DECRYPT, wrapped.keyArn(), "domain " + domain + " key " + id
            + ": the wrapped key does not authenticate with the context " + context
            + " (altered, or moved from another domain)", e);
      }
      try {
        return DomainKey.of(domain, id, plain);
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    });
  }

  @Override
  public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
    Objects.requireNonNull(context, "context");
    return store.read(s -> {
      byte[] blob = wrapped.blob();
      LocalMasterKey source = checks.sourceKey(s, wrapped, blob, REENCRYPT);
      LocalMasterKey destination = checks.resolve(s, destinationKeyId, REENCRYPT);
      checks.requireUsage(destination, KeySpec.SYMMETRIC_DEFAULT, destinationKeyId, REENCRYPT);
      checks.requireEnabled(destination, destinationKeyId, REENCRYPT);
      byte[] dek = checks.unwrap(source, blob, context, wrapped.keyArn(), REENCRYPT);
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
    return store.read(s -> {
      LocalMasterKey key = checks.macKey(s, keyId, message, GENERATE_MAC);
      return new GeneratedMac(key.arn(), LocalMac.hmacSha256(key.current().material(), message));
    });
  }

  @Override
  public boolean verifyMac(String keyId, byte[] message, byte[] mac) {
    return verifyMacKey(keyId, message, mac) != null;
  }

  @Override
  public String verifyMacKey(String keyId, byte[] message, byte[] mac) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(mac, "mac");
    return store.read(s -> {
      LocalMasterKey key = checks.macKey(s, keyId, message, VERIFY_MAC);
      byte[] expected = LocalMac.hmacSha256(key.current().material(), message);
      // constant time; a wrong length is simply "does not verify"
      return MessageDigest.isEqual(expected, mac) ? key.arn() : null;
    });
  }

  @Override
  public void checkGenerateDataKey(String keyId, EncryptionContext context) {
    Objects.requireNonNull(context, "context");
    store.read(s -> {
      LocalMasterKey key = checks.resolve(s, keyId, GENERATE);
      checks.requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, keyId, GENERATE);
      checks.requireEnabled(key, keyId, GENERATE);
      return null;
    });
  }

  @Override
  public KeyDescription describeKey(String keyId) {
    return store.read(s -> checks.resolve(s, keyId, DESCRIBE).describe());
  }

  /** Zeroes the master keys held in memory; later calls fail. */
  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "LocalKeyring[" + store.path() + "]";
  }

  private byte[] wrapUnderCurrent(LocalMasterKey key, byte[] dek, EncryptionContext context) {
    byte[] nonce = new byte[LocalKeyBlob.NONCE_BYTES];
    random.nextBytes(nonce);
    LocalMasterKey.Version current = key.current();
    return LocalKeyBlob.wrap(current.material(), key.id(), current.number(), nonce, dek, context);
  }

}
