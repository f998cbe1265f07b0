package io.columnseal.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads a checkpoint's members in the one order the format allows; any other shape is corrupt. */
final class StrictJson {
  final JsonParser p;
  final String name;

  StrictJson(JsonParser p, String name) {
    this.p = p;
    this.name = name;
  }

  JsonToken next() throws IOException {
    return p.nextToken();
  }

  void expect(JsonToken t) throws IOException {
    if (p.nextToken() != t) {
      throw bad("is not a valid checkpoint (expected " + t + " at offset " + p.getTokenLocation().getByteOffset() + ")");
    }
  }

  void field(String f) throws IOException {
    expect(JsonToken.FIELD_NAME);
    if (!f.equals(p.getCurrentName())) {
      throw bad("has member \"" + p.getCurrentName() + "\" where \"" + f + "\" belongs");
    }
  }

  String string() throws IOException {
    expect(JsonToken.VALUE_STRING);
    return p.getText();
  }

  int integer() throws IOException {
    return Math.toIntExact(longValue());
  }

  long longValue() throws IOException {
    expect(JsonToken.VALUE_NUMBER_INT);
    return p.getLongValue();
  }

  String stringField(String f) throws IOException {
    field(f);
    return string();
  }

  String nullableStringField(String f) throws IOException {
    field(f);
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw bad("member \"" + f + "\" must be a string or null");
    }
    return p.getText();
  }

  long longField(String f) throws IOException {
    field(f);
    return longValue();
  }

  boolean boolField(String f) throws IOException {
    field(f);
    JsonToken t = p.nextToken();
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw bad("member \"" + f + "\" must be true or false");
    }
    return t == JsonToken.VALUE_TRUE;
  }

  List<String> stringArray(String f) throws IOException {
    field(f);
    expect(JsonToken.START_ARRAY);
    List<String> out = new ArrayList<>();
    while (p.nextToken() == JsonToken.VALUE_STRING) {
      out.add(p.getText());
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw bad("member \"" + f + "\" must be an array of strings");
    }
    return out;
  }

  ManifestCorruptException bad(String what) {
    return new ManifestCorruptException(name, what);
  }
}
