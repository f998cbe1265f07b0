package io.columnseal.kms;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local keyring's admin calls (CreateKey, ListKeys, RotateKeyOnDemand, Disable/EnableKey,
 * CreateAlias): each re-reads the file under its lock, changes it, writes it back. Logs under
 * {@link LocalKeyring}'s name: ids, ARNs and aliases only.
 */
final class LocalKeyAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKeyring.class);

  private final SecureRandom random = new SecureRandom();
  private final LocalKeyringStore store;
  private final LocalKeyChecks checks;
  private final Clock clock;

  LocalKeyAdmin(LocalKeyringStore store, Clock clock) {
    this.store = store;
    this.checks = new LocalKeyChecks(store.path());
    this.clock = clock;
  }

  KeyDescription createKey(String aliasOrNull, String description, KeySpec spec) {
    Objects.requireNonNull(spec, "spec");
    String alias = aliasOrNull == null ? null : LocalKeyRef.aliasName(aliasOrNull);
    String text = description == null ? "" : description;
    String ref = alias == null ? "-" : alias;
    return store.update(LocalKeyring.CREATE_KEY, ref, current -> {
      if (alias != null && current.aliases().containsKey(alias)) {
        throw aliasExists(LocalKeyring.CREATE_KEY, alias, current);
      }
      LocalMasterKey key = new LocalMasterKey(UUID.randomUUID(), spec, text, clock.instant(), KeyState.ENABLED,
          List.of(new LocalMasterKey.Version(1, clock.instant(), newMaterial())), 1);
      LocalKeyringContents next = current.withKey(key);
      if (alias != null) {
        next = next.withAlias(alias, key.id());
      }
      LOG.info("Created {} key {}{} in local keyring {}", spec.kmsName(), key.arn(), alias == null ? "" : " (" + alias + ")",
          store.path());
      return new LocalKeyringStore.Change<>(next, key.describe());
    });
  }

  List<LocalKeyInfo> listKeys() {
    return store.update(LocalKeyring.LIST_KEYS, "-", current -> {
      List<LocalKeyInfo> out = new ArrayList<>();
      for (LocalMasterKey k : current.keys()) {
        out.add(k.info(current.aliasesOf(k.id())));
      }
      return new LocalKeyringStore.Change<>(current, List.copyOf(out));
    });
  }

  LocalKeyInfo rotate(String keyRef) {
    return store.update(LocalKeyring.ROTATE, keyRef, current -> {
      LocalMasterKey key = checks.resolve(current, keyRef, LocalKeyring.ROTATE);
      if (key.spec() == KeySpec.HMAC_256) {
        // As KMS, whose rotation (automatic or on demand) is for symmetric encryption keys only.
        throw new KmsRequestRejectedException(LocalKeyring.ROTATE, keyRef, "key " + key.arn() + " is an HMAC_256 key, and HMAC keys"
            + " do not rotate (as in KMS); create a new HMAC key instead (local keyring " + store.path() + ")");
      }
      checks.requireEnabled(key, keyRef, LocalKeyring.ROTATE);
      LocalMasterKey rotated = key.withNewVersion(newMaterial(), clock.instant());
      LOG.info("Rotated key {} to version {} in local keyring {}", key.arn(), rotated.currentVersion(), store.path());
      return new LocalKeyringStore.Change<>(current.withKey(rotated), rotated.info(current.aliasesOf(key.id())));
    });
  }

  KeyDescription createAlias(String alias, String keyRef) {
    String name = LocalKeyRef.aliasName(Objects.requireNonNull(alias, "alias"));
    return store.update(LocalKeyring.CREATE_ALIAS, name, current -> {
      if (current.aliases().containsKey(name)) {
        throw aliasExists(LocalKeyring.CREATE_ALIAS, name, current);
      }
      LocalMasterKey key = checks.resolve(current, keyRef, LocalKeyring.CREATE_ALIAS);
      LOG.info("Alias {} now names key {} in local keyring {}", name, key.arn(), store.path());
      return new LocalKeyringStore.Change<>(current.withAlias(name, key.id()), key.describe());
    });
  }

  KeyDescription setState(String operation, String keyRef, KeyState target) {
    return store.update(operation, keyRef, current -> {
      LocalMasterKey key = checks.resolve(current, keyRef, operation);
      if (key.state() == KeyState.PENDING_DELETION) {
        throw new KeyDisabledException(operation, keyRef, "key " + key.arn()
            + " is pending deletion in local keyring " + store.path() + "; it can be neither enabled nor disabled");
      }
      if (key.state() == target) {
        return new LocalKeyringStore.Change<>(current, key.describe());
      }
      LocalMasterKey changed = key.withState(target);
      LOG.info("Key {} is now {} in local keyring {}", key.arn(), target.kmsName(), store.path());
      return new LocalKeyringStore.Change<>(current.withKey(changed), changed.describe());
    });
  }

  private AliasExistsException aliasExists(String operation, String alias, LocalKeyringContents current) {
    return new AliasExistsException(operation, alias, "the alias already names key "
        + LocalKeyRef.keyArn(current.aliases().get(alias)) + " in local keyring " + store.path());
  }

  private byte[] newMaterial() {
    byte[] material = new byte[LocalMasterKey.KEY_BYTES];
    random.nextBytes(material);
    return material;
  }
}
