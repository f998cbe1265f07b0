package io.columnseal.kms.testserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The KMS operations the server answers, request JSON in, response JSON out, with the IAM
 * actions each needs. Field names, defaults and errors follow the KMS API reference; binary
 * fields are base64, timestamps epoch seconds, and every KeyId answered is a full key ARN.
 * Test material only: the server makes no effort to wipe the data keys it hands out.
 */
final class KmsOperations {
  static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
  static final String HMAC_SHA_256 = "HMAC_SHA_256";
  static final List<String> MAC_ALGORITHMS = List.of("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512");

  /** One request being answered; handlers record the key they resolved. */
  static final class Call {
    final JsonNode body;
    String keyArn;

    Call(JsonNode body) {
      this.body = body;
    }
  }

  interface Handler {
    ObjectNode answer(Call call);
  }

  /** An operation: the IAM actions it needs (all of them) and its handler. */
  record Operation(List<String> actions, Handler handler) {
  }

  private final ServerKeys keys;
  private final ObjectMapper json;
  private final Map<String, Operation> operations;

  KmsOperations(ServerKeys keys, ObjectMapper json) {
    this.keys = keys;
    this.json = json;
    this.operations = Map.ofEntries(
        Map.entry("CreateKey", op(this::createKey, "kms:CreateKey")),
        Map.entry("CreateAlias", op(this::createAlias, "kms:CreateAlias")),
        Map.entry("DescribeKey", op(this::describeKey, "kms:DescribeKey")),
        Map.entry("GenerateDataKey", op(c -> generateDataKey(c, true), "kms:GenerateDataKey")),
        Map.entry("GenerateDataKeyWithoutPlaintext",
            op(c -> generateDataKey(c, false), "kms:GenerateDataKeyWithoutPlaintext")),
        Map.entry("Encrypt", op(this::encrypt, "kms:Encrypt")),
        Map.entry("GenerateMac", op(this::generateMac, "kms:GenerateMac")),
        Map.entry("VerifyMac", op(this::verifyMac, "kms:VerifyMac")),
        Map.entry("Decrypt", op(this::decrypt, "kms:Decrypt")),
        Map.entry("ReEncrypt", op(this::reEncrypt, "kms:ReEncryptFrom", "kms:ReEncryptTo")),
        Map.entry("EnableKeyRotation", op(this::enableKeyRotation, "kms:EnableKeyRotation")),
        Map.entry("RotateKeyOnDemand", op(this::rotateKeyOnDemand, "kms:RotateKeyOnDemand")),
        Map.entry("DisableKey", op(c -> setEnabled(c, false), "kms:DisableKey")),
        Map.entry("EnableKey", op(c -> setEnabled(c, true), "kms:EnableKey")),
        Map.entry("ScheduleKeyDeletion", op(this::scheduleKeyDeletion, "kms:ScheduleKeyDeletion")),
        Map.entry("CancelKeyDeletion", op(this::cancelKeyDeletion, "kms:CancelKeyDeletion")));
  }

  /** Null for an operation the server does not know. */
  Operation find(String name) {
    return operations.get(name);
  }

  private static Operation op(Handler h, String... actions) {
    return new Operation(List.of(actions), h);
  }

  /** Symmetric encryption keys (the default) and HMAC_256 keys with usage GENERATE_VERIFY_MAC. */
  private ObjectNode createKey(Call c) {
    requireAbsentOr(c.body, "CustomerMasterKeySpec", SYMMETRIC_DEFAULT);
    String spec = text(c.body, "KeySpec");
    String usage = text(c.body, "KeyUsage");
    boolean hmac = ServerKeys.HMAC_256.equals(spec);
    if (!hmac) {
      requireAbsentOr(c.body, "KeySpec", SYMMETRIC_DEFAULT);
      if ("GENERATE_VERIFY_MAC".equals(usage)) {
        throw KmsError.validation("KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SYMMETRIC_DEFAULT");
      }
      requireAbsentOr(c.body, "KeyUsage", "ENCRYPT_DECRYPT");
    } else if (!"GENERATE_VERIFY_MAC".equals(usage)) {
      // KMS needs the usage spelled out for an HMAC key; the default ENCRYPT_DECRYPT does not fit.
      throw KmsError.validation("KeyUsage " + (usage == null ? "ENCRYPT_DECRYPT" : usage)
          + " is not compatible with KeySpec HMAC_256");
    }
    ServerKeys.Key k = keys.create(text(c.body, "Description"), hmac ? ServerKeys.HMAC_256 : SYMMETRIC_DEFAULT);
    c.keyArn = k.arn;
    ObjectNode out = json.createObjectNode();
    out.set("KeyMetadata", metadata(keys.snapshot(k)));
    return out;
  }

  private ObjectNode createAlias(Call c) {
    String target = requiredText(c.body, "TargetKeyId");
    keys.createAlias(requiredText(c.body, "AliasName"), target);
    c.keyArn = keys.resolve(target, false).arn;
    return json.createObjectNode();
  }

  private ObjectNode describeKey(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", true);
    ObjectNode out = json.createObjectNode();
    out.set("KeyMetadata", metadata(keys.snapshot(k)));
    return out;
  }

  private ObjectNode generateDataKey(Call c, boolean withPlaintext) {
    ServerKeys.Key k = resolve(c, "KeyId", true);
    ServerKeys.requireUsage(k, false, withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext");
    int n = dataKeyLength(c.body);
    keys.requireUsable(k);
    if (c.body.path("DryRun").asBoolean(false)) {
      throw KmsError.dryRun(); // after the permission, usage and state checks, like KMS
    }
    byte[] plaintext = keys.randomBytes(n);
    ObjectNode out = json.createObjectNode();
    out.put("CiphertextBlob", keys.seal(k, plaintext, context(c.body, "EncryptionContext")));
    if (withPlaintext) {
      out.put("Plaintext", plaintext); // Jackson keeps this array until it writes the answer
    }
    out.put("KeyId", k.arn);
    return out;
  }

  private ObjectNode encrypt(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", true);
    ServerKeys.requireUsage(k, false, "Encrypt");
    byte[] plaintext = binary(c.body, "Plaintext");
    if (plaintext.length < 1 || plaintext.length > 4096) {
      throw KmsError.validation("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
          + "Member must have length less than or equal to 4096");
    }
    keys.requireUsable(k);
    ObjectNode out = json.createObjectNode();
    out.put("CiphertextBlob", keys.seal(k, plaintext, context(c.body, "EncryptionContext")));
    out.put("KeyId", k.arn);
    out.put("EncryptionAlgorithm", SYMMETRIC_DEFAULT);
    return out;
  }

  private ObjectNode decrypt(Call c) {
    byte[] blob = binary(c.body, "CiphertextBlob");
    ServerKeys.BlobHeader h = keys.header(blob);
    c.keyArn = h.key().arn;
    requireBlobKey(c.body, "KeyId", h);
    keys.requireUsable(h.key());
    byte[] plaintext = keys.open(h, blob, context(c.body, "EncryptionContext"));
    ObjectNode out = json.createObjectNode();
    out.put("KeyId", h.key().arn);
    out.put("Plaintext", plaintext);
    out.put("EncryptionAlgorithm", SYMMETRIC_DEFAULT);
    return out;
  }

  /** Decrypts under the blob's key and version, seals under the destination's newest version. */
  private ObjectNode reEncrypt(Call c) {
    byte[] blob = binary(c.body, "CiphertextBlob");
    ServerKeys.BlobHeader h = keys.header(blob);
    c.keyArn = h.key().arn;
    requireBlobKey(c.body, "SourceKeyId", h);
    ServerKeys.Key destination = keys.resolve(requiredText(c.body, "DestinationKeyId"), true);
    ServerKeys.requireUsage(destination, false, "ReEncrypt");
    keys.requireUsable(h.key());
    keys.requireUsable(destination);
    byte[] plaintext = keys.open(h, blob, context(c.body, "SourceEncryptionContext"));
    ObjectNode out = json.createObjectNode();
    out.put("CiphertextBlob", keys.seal(destination, plaintext, context(c.body, "DestinationEncryptionContext")));
    out.put("SourceKeyId", h.key().arn);
    out.put("KeyId", destination.arn);
    out.put("SourceEncryptionAlgorithm", SYMMETRIC_DEFAULT);
    out.put("DestinationEncryptionAlgorithm", SYMMETRIC_DEFAULT);
    return out;
  }

  private ObjectNode generateMac(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", true);
    byte[] message = macMessage(c.body);
    requireMacAlgorithm(c.body, k, "GenerateMac");
    keys.requireUsable(k);
    ObjectNode out = json.createObjectNode();
    out.put("Mac", keys.mac(k, message));
    out.put("MacAlgorithm", HMAC_SHA_256);
    out.put("KeyId", k.arn);
    return out;
  }

  /** A MAC that does not match is KMSInvalidMacException, never MacValid false. */
  private ObjectNode verifyMac(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", true);
    byte[] message = macMessage(c.body);
    byte[] mac = binary(c.body, "Mac");
    requireMacAlgorithm(c.body, k, "VerifyMac");
    keys.requireUsable(k);
    if (!java.security.MessageDigest.isEqual(keys.mac(k, message), mac)) {
      throw KmsError.invalidMac();
    }
    ObjectNode out = json.createObjectNode();
    out.put("KeyId", k.arn);
    out.put("MacValid", true);
    out.put("MacAlgorithm", HMAC_SHA_256);
    return out;
  }

  private static byte[] macMessage(JsonNode body) {
    byte[] message = binary(body, "Message");
    if (message.length < 1 || message.length > 4096) {
      throw KmsError.validation("1 validation error detected: Value at 'message' failed to satisfy constraint: "
          + "Member must have length less than or equal to 4096");
    }
    return message;
  }

  /** HMAC_256 keys take HMAC_SHA_256 only; an AES key takes no MAC algorithm at all. */
  private static void requireMacAlgorithm(JsonNode body, ServerKeys.Key k, String operation) {
    String algorithm = requiredText(body, "MacAlgorithm");
    if (!MAC_ALGORITHMS.contains(algorithm)) {
      throw KmsError.validation("1 validation error detected: Value '" + algorithm + "' at 'macAlgorithm' failed to "
          + "satisfy constraint: Member must satisfy enum value set: " + MAC_ALGORITHMS);
    }
    ServerKeys.requireUsage(k, true, operation);
    if (!HMAC_SHA_256.equals(algorithm)) {
      throw KmsError.invalidKeyUsage("Algorithm " + algorithm + " is incompatible with key spec HMAC_256.");
    }
  }

  private ObjectNode enableKeyRotation(Call c) {
    keys.enableRotation(resolve(c, "KeyId", false));
    return json.createObjectNode();
  }

  private ObjectNode rotateKeyOnDemand(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", false);
    keys.rotate(k);
    return json.createObjectNode().put("KeyId", k.arn);
  }

  private ObjectNode setEnabled(Call c, boolean enabled) {
    keys.setEnabled(resolve(c, "KeyId", false), enabled);
    return json.createObjectNode();
  }

  private ObjectNode scheduleKeyDeletion(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", false);
    int days = c.body.hasNonNull("PendingWindowInDays") ? c.body.get("PendingWindowInDays").asInt() : 30;
    if (days < 7 || days > 30) {
      throw KmsError.validation("1 validation error detected: Value '" + days
          + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30");
    }
    keys.scheduleDeletion(k, days);
    ServerKeys.Snapshot s = keys.snapshot(k);
    ObjectNode out = json.createObjectNode();
    out.put("KeyId", k.arn);
    out.put("DeletionDate", s.deletionDate().getEpochSecond());
    out.put("KeyState", s.state().kmsName);
    out.put("PendingWindowInDays", days);
    return out;
  }

  private ObjectNode cancelKeyDeletion(Call c) {
    ServerKeys.Key k = resolve(c, "KeyId", false);
    keys.cancelDeletion(k);
    return json.createObjectNode().put("KeyId", k.arn);
  }

  private ObjectNode metadata(ServerKeys.Snapshot s) {
    ObjectNode m = json.createObjectNode();
    m.put("AWSAccountId", ServerKeys.ACCOUNT);
    m.put("KeyId", s.id().toString());
    m.put("Arn", s.arn());
    m.put("CreationDate", s.created().toEpochMilli() / 1000.0);
    m.put("Enabled", s.state() == ServerKeys.State.ENABLED);
    m.put("Description", s.description());
    boolean hmac = ServerKeys.HMAC_256.equals(s.spec());
    m.put("KeyUsage", hmac ? "GENERATE_VERIFY_MAC" : "ENCRYPT_DECRYPT");
    m.put("KeyState", s.state().kmsName);
    if (s.deletionDate() != null) {
      m.put("DeletionDate", s.deletionDate().getEpochSecond());
    }
    m.put("Origin", "AWS_KMS");
    m.put("KeyManager", "CUSTOMER");
    m.put("CustomerMasterKeySpec", s.spec());
    m.put("KeySpec", s.spec());
    if (hmac) {
      m.putArray("MacAlgorithms").add(HMAC_SHA_256);
    } else {
      m.putArray("EncryptionAlgorithms").add(SYMMETRIC_DEFAULT);
    }
    m.put("MultiRegion", false);
    return m;
  }

  private ServerKeys.Key resolve(Call c, String field, boolean allowAlias) {
    ServerKeys.Key k = keys.resolve(requiredText(c.body, field), allowAlias);
    c.keyArn = k.arn;
    return k;
  }

  /** A KeyId named beside a blob must be the blob's key (KMS: IncorrectKeyException). */
  private void requireBlobKey(JsonNode body, String field, ServerKeys.BlobHeader h) {
    String named = text(body, field);
    if (named != null) {
      ServerKeys.requireUsage(keys.resolve(named, true), false, "SourceKeyId".equals(field) ? "ReEncrypt" : "Decrypt");
    }
    if (named != null && keys.resolve(named, true) != h.key()) {
      throw KmsError.incorrectKey();
    }
  }

  private static int dataKeyLength(JsonNode body) {
    String spec = text(body, "KeySpec");
    boolean hasBytes = body.hasNonNull("NumberOfBytes");
    if ((spec == null) == !hasBytes) {
      throw KmsError.validation("Please specify either number of bytes or key spec.");
    }
    if (hasBytes) {
      int n = body.get("NumberOfBytes").asInt();
      if (n < 1 || n > 1024) {
        throw KmsError.validation("1 validation error detected: Value '" + n
            + "' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024");
      }
      return n;
    }
    switch (spec) {
      case "AES_256":
        return 32;
      case "AES_128":
        return 16;
      default:
        throw KmsError.validation("1 validation error detected: Value '" + spec
            + "' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
    }
  }

  /** The encryption context of a request: an object of strings; absent means empty. */
  static Map<String, String> context(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return Collections.emptyMap();
    }
    if (!n.isObject()) {
      throw KmsError.serialization("Expected an object for " + field);
    }
    Map<String, String> m = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw KmsError.serialization("Expected a string value for " + field + "." + e.getKey());
      }
      m.put(e.getKey(), e.getValue().asText());
    }
    return Collections.unmodifiableMap(m);
  }

  static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String requiredText(JsonNode body, String field) {
    String s = text(body, field);
    if (s == null || s.isEmpty()) {
      throw KmsError.validation("1 validation error detected: Value null at '" + lowerFirst(field)
          + "' failed to satisfy constraint: Member must not be null");
    }
    return s;
  }

  private static byte[] binary(JsonNode body, String field) {
    String s = requiredText(body, field);
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw KmsError.serialization("Invalid base64 in " + field);
    }
  }

  private static void requireAbsentOr(JsonNode body, String field, String only) {
    String v = text(body, field);
    if (v != null && !v.equals(only)) {
      throw KmsError.unsupported("The test server supports only " + field + " " + only + ", got " + v);
    }
  }

  private static String lowerFirst(String s) {
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
