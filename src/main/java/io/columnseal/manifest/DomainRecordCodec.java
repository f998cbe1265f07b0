package io.columnseal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Canonical JSON of a {@link DomainRecord}, as manifest commits are written (docs/FORMAT.md,
 * "Domain records"): the digest is the SHA-256 hex of the canonical bytes without the
 * {@code digest} member. Reading checks the form, the canonical bytes and the digest; the chain
 * is {@link DomainStore}'s to check.
 */
public final class DomainRecordCodec {
  private static final Set<String> FIELDS = Set.of("formatVersion", "domain", "domainKeyId", "keyArn", "wrappedKey",
      "encryptionContext", "number", "created", "parentDigest", "digest");

  private DomainRecordCodec() {}

  /** Digest of a record's content (everything but its own digest). */
  public static String digestOf(DomainRecord r) {
    return CanonicalJson.sha256Hex(CanonicalJson.write(tree(r, false)));
  }

  /** The canonical bytes of {@code r}, which must carry its correct digest. */
  public static byte[] write(DomainRecord r) {
    if (!digestOf(r).equals(r.digest())) {
      throw new IllegalArgumentException("domain record " + r.number() + " of domain " + r.domain()
          + " does not carry its own digest");
    }
    return CanonicalJson.write(tree(r, true));
  }

  /**
   * Parses and checks one record file.
   *
   * @param file named in errors
   * @throws UnsupportedManifestVersionException for a format version other than 1
   * @throws ManifestCorruptException if it is not a well-formed record
   * @throws ManifestTamperedException if its bytes are not canonical or its digest is wrong
   */
  public static DomainRecord read(byte[] bytes, String file) {
    JsonNode o;
    try {
      o = CanonicalJson.parse(bytes);
    } catch (IOException e) {
      throw new ManifestCorruptException(file, "not JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (!o.isObject()) {
      throw new ManifestCorruptException(file, "a domain record is a JSON object");
    }
    JsonNode v = o.get("formatVersion");
    if (v == null || !v.canConvertToLong()) {
      throw new ManifestCorruptException(file, "no integer formatVersion");
    }
    if (v.longValue() != DomainRecord.FORMAT_VERSION) {
      throw new UnsupportedManifestVersionException(file, v.longValue());
    }
    Set<String> names = new java.util.HashSet<>();
    o.fieldNames().forEachRemaining(names::add);
    if (!names.equals(FIELDS)) {
      throw new ManifestCorruptException(file, "a domain record has exactly the members " + new java.util.TreeSet<>(FIELDS));
    }
    DomainRecord r;
    try {
      r = new DomainRecord(
          text(o, "domain", file),
          DekId.parse(text(o, "domainKeyId", file)),
          new WrappedKey(text(o, "keyArn", file), Base64.getDecoder().decode(text(o, "wrappedKey", file))),
          EncryptionContext.of(context(o.get("encryptionContext"), file)),
          number(o, file),
          Instant.parse(text(o, "created", file)),
          o.get("parentDigest").isNull() ? null : text(o, "parentDigest", file),
          text(o, "digest", file));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      // Messages of these never quote the wrapped key; DekId.parse never echoes its input.
      throw new ManifestCorruptException(file, "malformed member: " + e.getMessage());
    }
    if (!Arrays.equals(CanonicalJson.write(o), bytes)) {
      throw new ManifestTamperedException(file, "its bytes are not the canonical form of its content");
    }
    if (!digestOf(r).equals(r.digest())) {
      throw new ManifestTamperedException(file, "its digest does not match its content");
    }
    return r;
  }

  private static ObjectNode tree(DomainRecord r, boolean withDigest) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("formatVersion", DomainRecord.FORMAT_VERSION);
    o.put("domain", r.domain());
    o.put("domainKeyId", r.domainKeyId().hex());
    o.put("keyArn", r.keyArn());
    o.put("wrappedKey", r.wrapped().blobBase64());
    ObjectNode ctx = o.putObject("encryptionContext");
    r.encryptionContext().asMap().forEach(ctx::put);
    o.put("number", r.number());
    o.put("created", r.created().toString());
    if (r.parentDigest() == null) {
      o.putNull("parentDigest");
    } else {
      o.put("parentDigest", r.parentDigest());
    }
    if (withDigest) {
      o.put("digest", r.digest());
    }
    return o;
  }

  private static String text(JsonNode o, String name, String file) {
    JsonNode n = o.get(name);
    if (n == null || !n.isTextual()) {
      throw new ManifestCorruptException(file, name + " must be a string");
    }
    return n.textValue();
  }

  private static long number(JsonNode o, String file) {
    JsonNode n = o.get("number");
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new ManifestCorruptException(file, "number must be an integer");
    }
    return n.longValue();
  }

  private static Map<String, String> context(JsonNode n, String file) {
    if (n == null || !n.isObject()) {
      throw new ManifestCorruptException(file, "encryptionContext must be an object of strings");
    }
    Map<String, String> m = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new ManifestCorruptException(file, "encryptionContext must be an object of strings");
      }
      m.put(e.getKey(), e.getValue().textValue());
    }
    return m;
  }
}
