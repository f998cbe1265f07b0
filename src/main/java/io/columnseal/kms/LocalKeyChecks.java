package io.columnseal.kms;

import java.nio.file.Path;
import java.util.UUID;
import javax.crypto.AEADBadTagException;

/**
 * The checks KMS makes before it uses a key, as the local keyring makes them: the key a
 * reference or a ciphertext names, its usage, its state, and the blob's version and tag. Each
 * failure is the KMS exception type, naming the key and the keyring file, never key bytes.
 */
final class LocalKeyChecks {
  private final Path path;

  LocalKeyChecks(Path path) {
    this.path = path;
  }

  /** The key a ciphertext names, after checking it is the key the caller expects and enabled. */
  LocalMasterKey sourceKey(LocalKeyringContents s, WrappedKey wrapped, byte[] blob, String operation) {
    String expected = wrapped.keyArn();
    String problem = LocalKeyBlob.shapeProblem(blob);
    if (problem != null) {
      throw new InvalidCiphertextException(operation, expected, problem + " (local keyring " + path + ")");
    }
    LocalMasterKey key = resolve(s, expected, operation);
    requireUsage(key, KeySpec.SYMMETRIC_DEFAULT, expected, operation);
    UUID wrappedBy = LocalKeyBlob.keyIdOf(blob);
    if (!wrappedBy.equals(key.id())) {
      throw new KeyMismatchException(operation, expected, "the ciphertext was wrapped by key "
          + LocalKeyRef.keyArn(wrappedBy) + ", not by " + key.arn() + " (local keyring " + path + ")");
    }
    requireEnabled(key, expected, operation);
    return key;
  }

  byte[] unwrap(LocalMasterKey key, byte[] blob, EncryptionContext context, String ref, String operation) {
    long number = LocalKeyBlob.keyVersionOf(blob);
    LocalMasterKey.Version version = key.version(number);
    if (version == null) {
      throw new InvalidCiphertextException(operation, ref, "the ciphertext names version " + number + " of key "
          + key.arn() + ", which has versions 1 to " + key.versions().size() + " (local keyring " + path + ")");
    }
    try {
      return LocalKeyBlob.unwrap(version.material(), blob, context);
    } catch (AEADBadTagException e) {
      // Not chained: nothing in it helps, and KMS gives no detail either.
      throw new InvalidCiphertextException(operation, ref, "the ciphertext does not authenticate under key "
          + key.arn() + " version " + number + ": it was altered, or the encryption context differs"
          + " (local keyring " + path + ")");
    }
  }

  LocalMasterKey resolve(LocalKeyringContents s, String ref, String operation) {
    LocalKeyRef parsed = LocalKeyRef.parse(ref);
    LocalMasterKey key = s.find(parsed);
    if (key == null) {
      throw new KeyNotFoundException(operation, LocalKeyRef.printable(ref), parsed == null
          ? LocalKeyRef.formProblem(ref) + " (local keyring " + path + ")"
          : "no such key or alias in local keyring " + path);
    }
    return key;
  }

  /** The HMAC key for GenerateMac/VerifyMac, checked as KMS checks it. */
  LocalMasterKey macKey(LocalKeyringContents s, String keyId, byte[] message, String operation) {
    LocalMasterKey key = resolve(s, keyId, operation);
    requireUsage(key, KeySpec.HMAC_256, keyId, operation);
    requireEnabled(key, keyId, operation);
    if (message.length < 1 || message.length > LocalKeyring.MAX_MAC_MESSAGE) {
      throw new KmsRequestRejectedException(operation, keyId, "the message is " + message.length
          + " bytes; KMS takes 1 to " + LocalKeyring.MAX_MAC_MESSAGE + " (local keyring " + path + ")");
    }
    return key;
  }

  /** KMS's InvalidKeyUsageException: an AES key does no MACs, an HMAC key wraps no DEKs. */
  void requireUsage(LocalMasterKey key, KeySpec needed, String ref, String operation) {
    if (key.spec() != needed) {
      throw new InvalidKeyUsageException(operation, ref, "key " + key.arn() + " has key usage " + key.spec().keyUsage()
          + ", and " + operation + " needs a " + needed.kmsName() + " key with usage " + needed.keyUsage()
          + " (local keyring " + path + ")");
    }
  }

  void requireEnabled(LocalMasterKey key, String ref, String operation) {
    if (key.state() != KeyState.ENABLED) {
      throw new KeyDisabledException(operation, ref, "key " + key.arn() + " is " + key.state().kmsName()
          + " in local keyring " + path);
    }
  }
}
