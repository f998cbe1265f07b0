package io.columnseal.kms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * The keyring file's JSON form (docs/FORMAT.md section 6.1): writing here, the strict read in
 * {@link LocalKeyringReader}. Parser messages are not passed on, as they can quote the file's
 * text.
 */
final class LocalKeyringCodec {
  static final String FORMAT = "columnseal-local-keyring";
  static final int FORMAT_VERSION = 1;
  /** A keyring that holds an HMAC key: builds that read only version 1 refuse it, rather than wrap DEKs with it. */
  static final int FORMAT_VERSION_HMAC = 2;
  static final String WARNING = "LOCAL DEVELOPMENT AND TESTS ONLY. This file holds unprotected AES-256 and HMAC "
      + "master keys in plain base64. Never use it for production data; use AWS KMS.";
  static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private LocalKeyringCodec() {}

  /** UTF-8 JSON; the caller zeroes the array after writing it. */
  static byte[] encode(LocalKeyringContents contents) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    boolean hmac = contents.keys().stream().anyMatch(k -> k.spec() == KeySpec.HMAC_256);
    root.put("formatVersion", hmac ? FORMAT_VERSION_HMAC : FORMAT_VERSION);
    root.put("warning", WARNING);
    ArrayNode keys = root.putArray("keys");
    for (LocalMasterKey k : contents.keys()) {
      ObjectNode key = keys.addObject();
      key.put("keyId", k.id().toString());
      key.put("arn", k.arn());
      key.put("keySpec", k.spec().kmsName());
      key.put("keyUsage", k.spec().keyUsage());
      key.put("description", k.description());
      key.put("creationDate", k.creationDate().toString());
      key.put("keyState", k.state().kmsName());
      key.put("currentVersion", k.currentVersion());
      ArrayNode versions = key.putArray("versions");
      for (LocalMasterKey.Version v : k.versions()) {
        versions.addObject()
            .put("version", v.number())
            .put("creationDate", v.created().toString())
            .put("material", Base64.getEncoder().encodeToString(v.material()));
      }
    }
    ObjectNode aliases = root.putObject("aliases");
    for (Map.Entry<String, UUID> a : contents.aliases().entrySet()) {
      aliases.put(a.getKey(), a.getValue().toString());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not serialise a keyring tree", e);
    }
  }

  static LocalKeyringContents decode(byte[] json, Path file) {
    return new LocalKeyringReader(file).read(json);
  }
}
