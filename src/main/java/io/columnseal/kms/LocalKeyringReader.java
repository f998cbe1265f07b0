package io.columnseal.kms;

import static io.columnseal.kms.LocalKeyringCodec.FORMAT;
import static io.columnseal.kms.LocalKeyringCodec.FORMAT_VERSION;
import static io.columnseal.kms.LocalKeyringCodec.FORMAT_VERSION_HMAC;
import static io.columnseal.kms.LocalKeyringCodec.MAPPER;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One strict read of a keyring file (docs/FORMAT.md section 6.1): any missing field, bad value
 * or unknown format version is a {@link CorruptKeyringException} naming the file and the field,
 * never the material. Remembers the file and the key being read, for messages. On any failure
 * the material read so far is zeroed.
 */
final class LocalKeyringReader {
  private static final String OPERATION = "ReadKeyring";

  private final Path file;
  private String keyId = "-";
  private int formatVersion;

  LocalKeyringReader(Path file) {
    this.file = file;
  }

  LocalKeyringContents read(byte[] json) {
    JsonNode root = parse(json);
    if (!root.isObject()) {
      throw corrupt("is not a JSON object");
    }
    if (!FORMAT.equals(root.path("format").asText(null))) {
      throw corrupt("is not a columnseal local keyring (field format must be \"" + FORMAT + "\")");
    }
    JsonNode version = root.get("formatVersion");
    if (version == null || !version.isInt()) {
      throw corrupt("has no integer formatVersion");
    }
    formatVersion = version.intValue();
    if (formatVersion != FORMAT_VERSION && formatVersion != FORMAT_VERSION_HMAC) {
      throw corrupt("has format version " + formatVersion + "; this build reads versions " + FORMAT_VERSION
          + " and " + FORMAT_VERSION_HMAC);
    }
    Map<UUID, LocalMasterKey> keys = new LinkedHashMap<>();
    JsonNode keyArray = field(root, "keys", "keys");
    if (!keyArray.isArray()) {
      throw corrupt("field keys is not an array");
    }
    try {
      for (int i = 0; i < keyArray.size(); i++) {
        LocalMasterKey k = key(keyArray.get(i), "keys[" + i + "]");
        if (keys.putIfAbsent(k.id(), k) != null) {
          k.destroy();
          throw corrupt("lists key " + k.id() + " twice");
        }
      }
      keyId = "-";
      return new LocalKeyringContents(keys, aliases(field(root, "aliases", "aliases"), keys));
    } catch (RuntimeException e) {
      keys.values().forEach(LocalMasterKey::destroy);
      throw e;
    }
  }

  private JsonNode parse(byte[] json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || root.isMissingNode()) {
        throw corrupt("is empty");
      }
      return root;
    } catch (JsonProcessingException e) {
      // The parser's own message can quote key material; keep only where it stopped.
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw corrupt("is not valid or complete JSON" + where);
    } catch (IOException e) {
      throw corrupt("could not be parsed");
    }
  }

  private LocalMasterKey key(JsonNode node, String where) {
    keyId = "-";
    if (!node.isObject()) {
      throw corrupt(where + " is not an object");
    }
    String idText = text(node, "keyId", where);
    UUID id = LocalKeyRef.parseKeyId(idText);
    if (id == null) {
      throw corrupt(where + ".keyId is not a UUID");
    }
    keyId = id.toString();
    if (!LocalKeyRef.keyArn(id).equals(text(node, "arn", where))) {
      throw corrupt(where + ".arn is not " + LocalKeyRef.keyArn(id));
    }
    KeySpec spec = spec(node, where);
    String description = text(node, "description", where);
    Instant created = instant(node, "creationDate", where);
    KeyState state = state(text(node, "keyState", where), where);
    JsonNode versionArray = field(node, "versions", where + ".versions");
    if (!versionArray.isArray() || versionArray.isEmpty()) {
      throw corrupt(where + ".versions is not a non-empty array");
    }
    List<LocalMasterKey.Version> versions = new ArrayList<>();
    try {
      for (int v = 0; v < versionArray.size(); v++) {
        versions.add(version(versionArray.get(v), v + 1, where + ".versions[" + v + "]"));
      }
      int current = integer(node, "currentVersion", where);
      if (current < 1 || current > versions.size()) {
        throw corrupt(where + ".currentVersion is " + current + " but the key has versions 1 to " + versions.size());
      }
      if (spec == KeySpec.HMAC_256 && versions.size() != 1) {
        throw corrupt(where + " is an HMAC key with " + versions.size() + " versions; HMAC keys do not rotate and have one");
      }
      return new LocalMasterKey(id, spec, description, created, state, versions, current);
    } catch (RuntimeException e) {
      versions.forEach(LocalMasterKey.Version::destroy);
      throw e;
    }
  }

  private LocalMasterKey.Version version(JsonNode node, int expected, String where) {
    if (!node.isObject()) {
      throw corrupt(where + " is not an object");
    }
    int number = integer(node, "version", where);
    if (number != expected) {
      throw corrupt(where + ".version is " + number + "; versions must be numbered 1, 2, 3... in order");
    }
    Instant created = instant(node, "creationDate", where);
    byte[] material;
    try {
      material = Base64.getDecoder().decode(text(node, "material", where));
    } catch (IllegalArgumentException e) {
      // Not chained: the decoder's message quotes the offending character.
      throw corrupt(where + ".material is not valid base64");
    }
    if (material.length != LocalMasterKey.KEY_BYTES) {
      int length = material.length;
      Arrays.fill(material, (byte) 0);
      throw corrupt(where + ".material is " + length + " bytes; a master key (AES-256 or HMAC-256) is "
          + LocalMasterKey.KEY_BYTES);
    }
    return new LocalMasterKey.Version(number, created, material);
  }

  private Map<String, UUID> aliases(JsonNode node, Map<UUID, LocalMasterKey> keys) {
    if (!node.isObject()) {
      throw corrupt("field aliases is not an object");
    }
    Map<String, UUID> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> a = it.next();
      if (!LocalKeyRef.isAliasName(a.getKey())) {
        // Not quoted: a malformed name could be anything.
        throw corrupt("field aliases has a name of " + a.getKey().length() + " characters that is not a valid alias/<name>");
      }
      UUID target = LocalKeyRef.parseKeyId(a.getValue().asText(null));
      if (target == null || !keys.containsKey(target)) {
        throw corrupt("alias " + a.getKey() + " does not name a key id of this keyring");
      }
      out.put(a.getKey(), target);
    }
    return out;
  }

  /** Absent in files written before HMAC keys: an AES key. Spec and usage must agree. */
  private KeySpec spec(JsonNode node, String where) {
    if (!node.has("keySpec") && !node.has("keyUsage")) {
      return KeySpec.SYMMETRIC_DEFAULT;
    }
    KeySpec spec = KeySpec.fromKmsName(text(node, "keySpec", where));
    if (spec == null) {
      throw corrupt(where + ".keySpec must be SYMMETRIC_DEFAULT or HMAC_256");
    }
    if (!spec.keyUsage().equals(text(node, "keyUsage", where))) {
      throw corrupt(where + ".keyUsage must be " + spec.keyUsage() + " for a " + spec.kmsName() + " key");
    }
    if (spec == KeySpec.HMAC_256 && formatVersion != FORMAT_VERSION_HMAC) {
      throw corrupt(where + " is an HMAC key in a format version " + formatVersion + " keyring; HMAC keys need "
          + FORMAT_VERSION_HMAC);
    }
    return spec;
  }

  private KeyState state(String name, String where) {
    KeyState state = KeyState.fromKmsName(name);
    if (state != KeyState.ENABLED && state != KeyState.DISABLED && state != KeyState.PENDING_DELETION) {
      throw corrupt(where + ".keyState must be Enabled, Disabled or PendingDeletion");
    }
    return state;
  }

  private JsonNode field(JsonNode node, String name, String where) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw corrupt("misses field " + where);
    }
    return v;
  }

  private String text(JsonNode node, String name, String where) {
    JsonNode v = field(node, name, where + "." + name);
    if (!v.isTextual()) {
      throw corrupt(where + "." + name + " is not a string");
    }
    return v.textValue();
  }

  private int integer(JsonNode node, String name, String where) {
    JsonNode v = field(node, name, where + "." + name);
    if (!v.isInt()) {
      throw corrupt(where + "." + name + " is not an integer");
    }
    return v.intValue();
  }

  private Instant instant(JsonNode node, String name, String where) {
    try {
      return Instant.parse(text(node, name, where));
    } catch (DateTimeParseException e) {
      throw corrupt(where + "." + name + " is not an ISO-8601 instant");
    }
  }

  private CorruptKeyringException corrupt(String detail) {
    return new CorruptKeyringException(OPERATION, keyId, "keyring " + file + " " + detail);
  }
}
