package io.columnseal.kms;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An immutable snapshot of a keyring: its keys (in creation order) and aliases. Changes make a
 * new snapshot that shares the unchanged keys.
 */
final class LocalKeyringContents {
  private final Map<UUID, LocalMasterKey> keys;
  private final Map<String, UUID> aliases;

  LocalKeyringContents(Map<UUID, LocalMasterKey> keys, Map<String, UUID> aliases) {
    this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    this.aliases = Collections.unmodifiableMap(new TreeMap<>(aliases));
    for (Map.Entry<String, UUID> a : this.aliases.entrySet()) {
      if (!this.keys.containsKey(a.getValue())) {
        throw new IllegalArgumentException("alias " + a.getKey() + " names key " + a.getValue() + ", which is not in the keyring");
      }
    }
  }

  static LocalKeyringContents empty() {
    return new LocalKeyringContents(Map.of(), Map.of());
  }

  Collection<LocalMasterKey> keys() {
    return keys.values();
  }

  /** Sorted by alias name. */
  Map<String, UUID> aliases() {
    return aliases;
  }

  LocalMasterKey key(UUID id) {
    return keys.get(id);
  }

  /** The key a reference names, or null if none. */
  LocalMasterKey find(LocalKeyRef ref) {
    if (ref == null) {
      return null;
    }
    UUID id = ref.keyId() != null ? ref.keyId() : aliases.get(ref.alias());
    return id == null ? null : keys.get(id);
  }

  List<String> aliasesOf(UUID id) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, UUID> a : aliases.entrySet()) {
      if (a.getValue().equals(id)) {
        out.add(a.getKey());
      }
    }
    return out;
  }

  /** Adds the key, or replaces the key with the same id. */
  LocalKeyringContents withKey(LocalMasterKey key) {
    Map<UUID, LocalMasterKey> more = new LinkedHashMap<>(keys);
    more.put(key.id(), key);
    return new LocalKeyringContents(more, aliases);
  }

  LocalKeyringContents withAlias(String alias, UUID keyId) {
    Map<String, UUID> more = new TreeMap<>(aliases);
    more.put(alias, keyId);
    return new LocalKeyringContents(keys, more);
  }

  /** Zeroes all material; the snapshot is unusable afterwards. */
  void destroy() {
    for (LocalMasterKey k : keys.values()) {
      k.destroy();
    }
  }

  @Override
  public String toString() {
    return "LocalKeyringContents[" + keys.size() + " keys, " + aliases.size() + " aliases]";
  }
}
