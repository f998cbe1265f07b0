package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: the secrets a keyring file holds, and checks that messages never show them. */
final class KeyringSecrets {
  static final ObjectMapper JSON = new ObjectMapper();

  private KeyringSecrets() {}

  static ObjectNode tree(Path keyring) {
    try {
      return (ObjectNode) JSON.readTree(keyring.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeTree(Path keyring, JsonNode tree) {
    try {
      Files.write(keyring, JSON.writeValueAsBytes(tree));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every master key version's material in the file, base64 as stored. */
  static List<String> materials(Path keyring) {
    List<String> out = new ArrayList<>();
    for (JsonNode key : tree(keyring).get("keys")) {
      for (JsonNode v : key.get("versions")) {
        out.add(v.get("material").asText());
      }
    }
    return out;
  }

  /** Fails if any message in the cause chain shows a secret, as base64, hex or a prefix. */
  static void assertShowsNone(Throwable t, List<String> base64Secrets) {
    assertNotNull(t.getMessage(), "exceptions must explain themselves");
    for (Throwable c = t; c != null; c = c.getCause()) {
      String message = String.valueOf(c.getMessage()) + " " + c;
      for (String secret : base64Secrets) {
        byte[] raw = Base64.getDecoder().decode(secret);
        String hex = HexFormat.of().formatHex(raw);
        for (String form : List.of(secret, secret.substring(0, 12), hex.substring(0, 16), hex.substring(0, 16).toUpperCase())) {
          assertFalse(message.contains(form), () -> "message shows key material: " + message);
        }
      }
    }
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
