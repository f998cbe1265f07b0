package io.columnseal.kms.testserver;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's keys: symmetric KMS keys with versions of their own key material, aliases,
 * states, and the ciphertext blobs they make. Thread-safe (every method locks the store).
 *
 * <p>A blob is {@code 0x01 | key uuid (16) | key version (4, BE) | nonce (12) | AES-256-GCM
 * ciphertext+tag}, sealed under that key version's material with the first 21 bytes and the
 * encryption context (sorted, length-prefixed) as associated data. So a blob names its key
 * and version, and any change to the blob or the context fails authentication, as in KMS.
 */
final class ServerKeys {
  static final String REGION = "us-east-1";
  static final String ACCOUNT = "111122223333";
  static final String ARN_PREFIX = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":";
  static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
  static final String HMAC_256 = "HMAC_256";

  private static final byte BLOB_VERSION = 1;
  private static final int HEADER = 1 + 16 + 4;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  enum State {
    ENABLED("Enabled"), DISABLED("Disabled"), PENDING_DELETION("PendingDeletion");

    final String kmsName;

    State(String kmsName) {
      this.kmsName = kmsName;
    }
  }

  /** One KMS key. Fields are guarded by the store's lock. */
  static final class Key {
    final UUID id;
    final String arn;
    /** SYMMETRIC_DEFAULT (ENCRYPT_DECRYPT) or HMAC_256 (GENERATE_VERIFY_MAC). */
    final String spec;
    final String description;
    final Instant created;
    final List<byte[]> versions = new ArrayList<>();
    State state = State.ENABLED;
    boolean rotationEnabled;
    Instant deletionDate;

    Key(UUID id, String spec, String description, Instant created) {
      this.id = id;
      this.spec = spec;
      this.arn = ARN_PREFIX + "key/" + id;
      this.description = description;
      this.created = created;
    }

    boolean hmac() {
      return HMAC_256.equals(spec);
    }

    String usage() {
      return hmac() ? "GENERATE_VERIFY_MAC" : "ENCRYPT_DECRYPT";
    }
  }

  /** A consistent copy of a key's public fields, for DescribeKey. */
  record Snapshot(UUID id, String arn, String spec, String description, Instant created, State state, boolean rotationEnabled,
      Instant deletionDate, int versions) {
  }

  /** What a blob's header says. */
  record BlobHeader(Key key, int version) {
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<UUID, Key> keys = new HashMap<>();
  private final Map<String, UUID> aliases = new HashMap<>();

  synchronized Key create(String description) {
    return create(description, SYMMETRIC_DEFAULT);
  }

  /** A key of {@code spec} SYMMETRIC_DEFAULT or HMAC_256, with 32 random bytes of material. */
  synchronized Key create(String description, String spec) {
    Key k = new Key(UUID.randomUUID(), spec, description == null ? "" : description, Instant.now());
    k.versions.add(newMaterial());
    keys.put(k.id, k);
    return k;
  }

  synchronized void createAlias(String aliasName, String targetKeyId) {
    if (aliasName == null || !aliasName.startsWith("alias/") || aliasName.length() <= "alias/".length()
        || !aliasName.substring(6).matches("[a-zA-Z0-9/_-]+")) {
      throw KmsError.invalidAliasName("Alias must start with the prefix \"alias/\" and use only a-z, A-Z, 0-9, /, _ and -");
    }
    if (aliasName.startsWith("alias/aws/")) {
      throw KmsError.invalidAliasName("Alias names starting with alias/aws/ are reserved for AWS managed keys");
    }
    if (aliases.containsKey(aliasName)) {
      throw KmsError.alreadyExists("An alias with the name " + ARN_PREFIX + aliasName + " already exists");
    }
    Key target = resolve(targetKeyId, false);
    aliases.put(aliasName, target.id);
  }

  /**
   * A key by id, key ARN, alias name or alias ARN ({@code allowAlias}), as KMS accepts them;
   * administrative operations take only an id or key ARN.
   */
  synchronized Key resolve(String keyId, boolean allowAlias) {
    if (keyId == null || keyId.isEmpty()) {
      throw KmsError.validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    }
    if (keyId.startsWith("arn:")) {
      String local = keyId.startsWith(ARN_PREFIX) ? keyId.substring(ARN_PREFIX.length()) : "";
      if (local.startsWith("key/")) {
        return byUuid(local.substring(4));
      }
      if (local.startsWith("alias/")) {
        return byAlias(local, allowAlias);
      }
      throw KmsError.notFound("Invalid arn " + keyId); // another region, account or resource type
    }
    return keyId.startsWith("alias/") ? byAlias(keyId, allowAlias) : byUuid(keyId);
  }

  /** Throws what KMS answers when a key that is not enabled is asked to do cryptography. */
  synchronized void requireUsable(Key k) {
    if (k.state == State.DISABLED) {
      throw KmsError.disabled(k.arn);
    }
    if (k.state == State.PENDING_DELETION) {
      throw KmsError.invalidState(k.arn + " is pending deletion.");
    }
  }

  /** KMS rotates symmetric encryption keys only. */
  private static void requireRotatable(Key k) {
    if (k.hmac()) {
      throw KmsError.unsupported(k.arn + " key usage is GENERATE_VERIFY_MAC; key rotation is supported only for"
          + " symmetric encryption KMS keys.");
    }
  }

  /** KMS's InvalidKeyUsageException when a key is asked for an operation its usage does not allow. */
  static void requireUsage(Key k, boolean hmac, String operation) {
    if (k.hmac() != hmac) {
      throw KmsError.invalidKeyUsage(k.arn + " key usage is " + k.usage() + " which is not valid for " + operation + ".");
    }
  }

  /** HMAC-SHA-256 under the key's (only) material. */
  synchronized byte[] mac(Key k, byte[] message) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k.versions.get(0), "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC failed", e);
    }
  }

  synchronized void requireNotPendingDeletion(Key k) {
    if (k.state == State.PENDING_DELETION) {
      throw KmsError.invalidState(k.arn + " is pending deletion.");
    }
  }

  synchronized void setEnabled(Key k, boolean enabled) {
    requireNotPendingDeletion(k);
    k.state = enabled ? State.ENABLED : State.DISABLED;
  }

  synchronized void rotate(Key k) {
    requireRotatable(k);
    requireUsable(k);
    k.versions.add(newMaterial());
  }

  synchronized void scheduleDeletion(Key k, int days) {
    requireNotPendingDeletion(k);
    k.state = State.PENDING_DELETION;
    k.deletionDate = Instant.now().plusSeconds(days * 86_400L);
  }

  synchronized void cancelDeletion(Key k) {
    if (k.state != State.PENDING_DELETION) {
      throw KmsError.invalidState(k.arn + " is not pending deletion.");
    }
    k.state = State.DISABLED; // as in KMS: a cancelled deletion leaves the key disabled
    k.deletionDate = null;
  }

  synchronized void enableRotation(Key k) {
    requireRotatable(k);
    requireUsable(k);
    k.rotationEnabled = true;
  }

  synchronized Snapshot snapshot(Key k) {
    return new Snapshot(k.id, k.arn, k.spec, k.description, k.created, k.state, k.rotationEnabled, k.deletionDate,
        k.versions.size());
  }

  /** Seals under the key's newest material. */
  synchronized byte[] seal(Key k, byte[] plaintext, Map<String, String> context) {
    int version = k.versions.size();
    byte[] out = new byte[HEADER + NONCE + plaintext.length + TAG_BITS / 8];
    ByteBuffer.wrap(out).put(BLOB_VERSION).putLong(k.id.getMostSignificantBits())
        .putLong(k.id.getLeastSignificantBits()).putInt(version);
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, HEADER, NONCE);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, k.versions.get(version - 1), nonce, out, context);
      c.doFinal(plaintext, 0, plaintext.length, out, HEADER + NONCE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing failed", e);
    }
    return out;
  }

  /** Reads a blob's header; a blob that names no key of ours is invalid ciphertext. */
  synchronized BlobHeader header(byte[] blob) {
    if (blob == null || blob.length < HEADER + NONCE + TAG_BITS / 8 || blob[0] != BLOB_VERSION) {
      throw KmsError.invalidCiphertext();
    }
    ByteBuffer b = ByteBuffer.wrap(blob, 1, HEADER - 1);
    Key k = keys.get(new UUID(b.getLong(), b.getLong()));
    int version = b.getInt();
    if (k == null || version < 1 || version > k.versions.size()) {
      throw KmsError.invalidCiphertext();
    }
    return new BlobHeader(k, version);
  }

  synchronized byte[] open(BlobHeader h, byte[] blob, Map<String, String> context) {
    byte[] nonce = Arrays.copyOfRange(blob, HEADER, HEADER + NONCE);
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, h.key().versions.get(h.version() - 1), nonce, blob, context);
      return c.doFinal(blob, HEADER + NONCE, blob.length - HEADER - NONCE);
    } catch (GeneralSecurityException e) {
      throw KmsError.invalidCiphertext();
    }
  }

  synchronized byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private Key byUuid(String uuid) {
    Key k;
    try {
      k = keys.get(UUID.fromString(uuid));
    } catch (IllegalArgumentException e) {
      throw KmsError.notFound("Invalid keyId " + uuid);
    }
    if (k == null) {
      throw KmsError.notFound("Key '" + ARN_PREFIX + "key/" + uuid + "' does not exist");
    }
    return k;
  }

  private Key byAlias(String aliasName, boolean allowAlias) {
    UUID id = allowAlias ? aliases.get(aliasName) : null;
    if (id == null) {
      throw KmsError.notFound("Alias " + ARN_PREFIX + aliasName + " is not found.");
    }
    return keys.get(id);
  }

  private byte[] newMaterial() {
    byte[] m = new byte[32];
    random.nextBytes(m);
    return m;
  }

  private static Cipher cipher(int mode, byte[] material, byte[] nonce, byte[] blob, Map<String, String> context)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(material, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(blob, 0, HEADER);
    c.updateAAD(canonical(context));
    return c;
  }

  /** Sorted keys, each key and value prefixed with its UTF-8 length: no two contexts collide. */
  private static byte[] canonical(Map<String, String> context) {
    ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, String> e : new TreeMap<>(context).entrySet()) {
      for (String s : new String[] {e.getKey(), e.getValue()}) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        bytes.write(b.length >>> 24);
        bytes.write(b.length >>> 16);
        bytes.write(b.length >>> 8);
        bytes.write(b.length);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toByteArray();
  }
}
