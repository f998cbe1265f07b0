package io.columnseal.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.columnseal.crypto.DekId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checkpoint <-> bytes (docs/FORMAT.md 5.10): a first line of 64 hex digits, the SHA-256 of
 * everything after that line, then one line of JSON with the members in a fixed order. Repeated
 * values (key ARNs, run ids, times, encryption contexts) are written once in tables and named by
 * index. Written and read with Jackson's streaming API: a million DEKs never become a tree.
 */
final class CheckpointCodec {
  static final int FORMAT = 1;
  /**
   * The format of a checkpoint whose state's cell encoding is {@code page}: the members of format
   * 1; the number only makes releases that read format 1 alone (before page mode) skip it and
   * replay the log, which they refuse at the first format-6 commit (FORMAT.md 5.10).
   */
  static final int PAGE_FORMAT = 2;
  private static final JsonFactory JSON = new JsonFactory();
  private static final HexFormat HEX = HexFormat.of();
  private static final int HEADER = 65;

  private CheckpointCodec() {}

  static byte[] encode(Checkpoint cp) {
    Exposed out = new Exposed();
    out.write(new byte[HEADER], 0, HEADER);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeBody(g, cp);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a checkpoint to memory", e);
    }
    out.write('\n');
    byte[] bytes = out.bytes();
    MessageDigest sha = sha256();
    sha.update(bytes, HEADER, bytes.length - HEADER);
    System.arraycopy(HEX.formatHex(sha.digest()).getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 64);
    bytes[64] = '\n';
    return bytes;
  }

  private static void writeBody(JsonGenerator g, Checkpoint cp) throws IOException {
    Table arns = new Table();
    Table runs = new Table();
    Table times = new Table();
    Table contexts = new Table();
    for (DekRecord d : cp.deks.values()) {
      arns.index(d.keyArn());
      runs.index(d.runId());
      times.index(d.created().toString());
      contexts.index(sharedContext(d));
    }
    g.writeStartObject();
    g.writeNumberField("checkpointFormat", Commit.PAGE_ENCODING.equals(cp.cellEncoding) ? PAGE_FORMAT : FORMAT);
    g.writeStringField("datasetId", cp.datasetId);
    g.writeNumberField("version", cp.version);
    g.writeStringField("digest", cp.digest);
    g.writeArrayFieldStart("schema");
    for (ColumnRecord c : cp.schema) {
      g.writeStartObject();
      g.writeStringField("name", c.name());
      g.writeStringField("type", c.type());
      g.writeBooleanField("nullable", c.nullable());
      g.writeBooleanField("encrypted", c.encrypted());
      // The column policy (format 5 commits): null members for a column recorded without one.
      g.writeStringField("protection", c.hasPolicy() ? c.protection() : null);
      g.writeStringField("key", c.key());
      g.writeArrayFieldStart("options"); // name, value, name, value, ... in name order
      for (Map.Entry<String, String> o : c.options().entrySet()) {
        g.writeString(o.getKey());
        g.writeString(o.getValue());
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("cellEncoding", cp.cellEncoding);
    stringArray(g, "keyArns", arns.values());
    stringArray(g, "runIds", runs.values());
    stringArray(g, "times", times.values());
    g.writeArrayFieldStart("contexts");
    for (Object m : contexts.values()) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) m).entrySet()) {
        g.writeStringField((String) e.getKey(), (String) e.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    // [id, keyArn index, wrappedKey base64, context index, cells, runId index, time index, addedIn]
    g.writeArrayFieldStart("deks");
    for (DekRecord d : cp.deks.values()) {
      g.writeStartArray();
      g.writeString(d.id().hex());
      g.writeNumber(arns.index(d.keyArn()));
      g.writeString(Base64.getEncoder().encodeToString(d.wrappedKey()));
      g.writeNumber(contexts.index(sharedContext(d)));
      g.writeNumber(d.cells());
      g.writeNumber(runs.index(d.runId()));
      g.writeNumber(times.index(d.created().toString()));
      g.writeNumber(cp.addedIn.get(d.id()));
      g.writeEndArray();
    }
    g.writeEndArray();
    stringArray(g, "liveFiles", new ArrayList<>(cp.liveFiles));
    g.writeArrayFieldStart("boundFiles");
    for (FileRecord f : cp.boundFiles) {
      g.writeStartObject();
      g.writeStringField("path", f.path());
      g.writeNumberField("size", f.size());
      g.writeArrayFieldStart("deks");
      for (DekId d : f.deks()) {
        g.writeString(d.hex());
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("inputCommits");
    for (InputCommit c : cp.inputCommits) {
      g.writeStartObject();
      g.writeNumberField("number", c.number);
      g.writeStringField("runId", c.runId);
      stringArray(g, "inputs", c.inputs);
      stringArray(g, "files", c.files);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * Reads a checkpoint and checks its SHA-256 line, so a torn or edited file is refused.
   *
   * @throws ManifestCorruptException naming {@code name} and what is wrong
   */
  static Checkpoint decode(InputStream in, String name) throws IOException {
    return decodeWithSha(in, name).checkpoint;
  }

  /** A checkpoint read back, with its SHA-256 line (checked against the bytes after it). */
  static final class Read {
    final Checkpoint checkpoint;
    final String sha256;

    Read(Checkpoint checkpoint, String sha256) {
      this.checkpoint = checkpoint;
      this.sha256 = sha256;
    }
  }

  /** As {@link #decode}, keeping the SHA-256 line that a checkpoint MAC covers (FORMAT.md 5.10). */
  static Read decodeWithSha(InputStream in, String name) throws IOException {
    byte[] header = in.readNBytes(HEADER);
    if (header.length != HEADER || header[64] != '\n') {
      throw new ManifestCorruptException(name, "lacks its SHA-256 line (a torn checkpoint?)");
    }
    String expected = new String(header, 0, 64, StandardCharsets.US_ASCII);
    DigestInputStream body = new DigestInputStream(in, sha256());
    Checkpoint cp;
    try (JsonParser p = JSON.createParser(body)) {
      p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
      cp = readBody(new StrictJson(p, name));
      if (p.nextToken() != null) {
        throw new ManifestCorruptException(name, "has content after its JSON object");
      }
    } catch (ManifestCorruptException e) {
      body.transferTo(java.io.OutputStream.nullOutputStream());
      if (!HEX.formatHex(body.getMessageDigest().digest()).equals(expected)) {
        throw new ManifestCorruptException(name, "its SHA-256 line does not match its content (torn or edited)");
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      body.transferTo(java.io.OutputStream.nullOutputStream());
      if (!HEX.formatHex(body.getMessageDigest().digest()).equals(expected)) {
        throw new ManifestCorruptException(name, "its SHA-256 line does not match its content (torn or edited)");
      }
      throw new ManifestCorruptException(name, "is not a valid checkpoint: " + e.getClass().getSimpleName());
    }
    body.transferTo(java.io.OutputStream.nullOutputStream());
    if (!HEX.formatHex(body.getMessageDigest().digest()).equals(expected)) {
      throw new ManifestCorruptException(name, "its SHA-256 line does not match its content (torn or edited)");
    }
    return new Read(cp, expected);
  }

  private static Checkpoint readBody(StrictJson s) throws IOException {
    s.expect(JsonToken.START_OBJECT);
    long format = s.longField("checkpointFormat");
    if (format != FORMAT && format != PAGE_FORMAT) {
      throw s.bad("has an unknown checkpointFormat");
    }
    String datasetId = s.stringField("datasetId");
    long version = s.longField("version");
    String digest = s.stringField("digest");
    s.field("schema");
    List<ColumnRecord> schema = new ArrayList<>();
    s.expect(JsonToken.START_ARRAY);
    while (s.next() == JsonToken.START_OBJECT) {
      String name = s.stringField("name");
      String type = s.stringField("type");
      boolean nullable = s.boolField("nullable");
      boolean encrypted = s.boolField("encrypted");
      String protection = s.nullableStringField("protection");
      String key = s.nullableStringField("key");
      List<String> pairs = s.stringArray("options");
      if (pairs.size() % 2 != 0 || (protection == null && (key != null || !pairs.isEmpty()))) {
        throw s.bad("has a malformed policy of column " + name);
      }
      TreeMap<String, String> options = new TreeMap<>();
      for (int i = 0; i < pairs.size(); i += 2) {
        options.put(pairs.get(i), pairs.get(i + 1));
      }
      schema.add(protection == null ? ColumnRecord.of(name, type, nullable, encrypted)
          : ColumnRecord.withPolicy(name, type, nullable, encrypted, protection, key, options));
      s.expect(JsonToken.END_OBJECT);
    }
    String cellEncoding = s.nullableStringField("cellEncoding");
    if ((format == PAGE_FORMAT) != Commit.PAGE_ENCODING.equals(cellEncoding)) {
      throw s.bad("has checkpointFormat " + format + " with cellEncoding " + cellEncoding
          + " (format 2 is for the cell encoding page, and only it)");
    }
    // Each distinct value once: the DEKs share these strings and context maps.
    List<String> arns = s.stringArray("keyArns");
    List<String> runs = s.stringArray("runIds");
    arns.forEach(a -> Checks.text(a, "key ARN"));
    runs.forEach(r -> Checks.text(r, "run id"));
    List<Instant> times = new ArrayList<>();
    s.stringArray("times").forEach(t -> times.add(Instant.parse(t)));
    s.field("contexts");
    s.expect(JsonToken.START_ARRAY);
    List<Map<String, String>> contexts = new ArrayList<>();
    while (s.next() == JsonToken.START_OBJECT) {
      TreeMap<String, String> m = new TreeMap<>();
      while (s.next() == JsonToken.FIELD_NAME) {
        String k = s.p.getCurrentName();
        m.put(k, s.string());
      }
      if (m.containsKey(io.columnseal.kms.EncryptionContext.DEK) || !m.containsKey(io.columnseal.kms.EncryptionContext.DATASET)) {
        throw s.bad("has a context entry with " + io.columnseal.kms.EncryptionContext.DEK + " or without "
            + io.columnseal.kms.EncryptionContext.DATASET);
      }
      // Checked as a DEK record checks its context, once per entry.
      Checks.sortedMap(m, "encryption context");
      contexts.add(java.util.Collections.unmodifiableMap(m));
    }
    s.field("deks");
    s.expect(JsonToken.START_ARRAY);
    TreeMap<DekId, DekRecord> deks = new TreeMap<>();
    HashMap<DekId, Long> addedIn = new HashMap<>();
    while (s.next() == JsonToken.START_ARRAY) {
      DekId id = DekId.parse(s.string());
      String arn = arns.get(s.integer());
      byte[] wrapped = Base64.getDecoder().decode(s.string());
      Map<String, String> ctx = contexts.get(s.integer());
      DekRecord d = DekRecord.ofChecked(id, arn, wrapped, ctx, s.longValue(), runs.get(s.integer()),
          times.get(s.integer()));
      long added = s.longValue();
      s.expect(JsonToken.END_ARRAY);
      if (deks.put(id, d) != null) {
        throw s.bad("lists DEK " + id + " twice");
      }
      addedIn.put(id, added);
    }
    TreeSet<String> liveFiles = new TreeSet<>(s.stringArray("liveFiles"));
    s.field("boundFiles");
    s.expect(JsonToken.START_ARRAY);
    List<FileRecord> bound = new ArrayList<>();
    while (s.next() == JsonToken.START_OBJECT) {
      String path = s.stringField("path");
      long size = s.longField("size");
      List<DekId> ids = new ArrayList<>();
      s.stringArray("deks").forEach(h -> ids.add(DekId.parse(h)));
      bound.add(FileRecord.of(path, size, ids));
      s.expect(JsonToken.END_OBJECT);
    }
    s.field("inputCommits");
    s.expect(JsonToken.START_ARRAY);
    List<InputCommit> inputs = new ArrayList<>();
    while (s.next() == JsonToken.START_OBJECT) {
      inputs.add(new InputCommit(s.longField("number"), s.stringField("runId"), s.stringArray("inputs"),
          s.stringArray("files")));
      s.expect(JsonToken.END_OBJECT);
    }
    s.expect(JsonToken.END_OBJECT);
    return new Checkpoint(datasetId, version, digest, schema, cellEncoding, deks, addedIn, liveFiles, bound, inputs);
  }

  private static Map<String, String> sharedContext(DekRecord d) {
    TreeMap<String, String> m = new TreeMap<>(d.encryptionContext());
    m.remove(io.columnseal.kms.EncryptionContext.DEK);
    return m;
  }

  private static void stringArray(JsonGenerator g, String field, List<?> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (Object v : values) {
      g.writeString((String) v);
    }
    g.writeEndArray();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Values in first-seen order, each with its index. */
  private static final class Table {
    private final LinkedHashMap<Object, Integer> index = new LinkedHashMap<>();

    int index(Object v) {
      return index.computeIfAbsent(v, k -> index.size());
    }

    List<Object> values() {
      return new ArrayList<>(index.keySet());
    }
  }

  /** A byte buffer whose array is handed out without a copy when it is exactly full. */
  private static final class Exposed extends ByteArrayOutputStream {
    Exposed() {
      super(1 << 16);
    }

    byte[] bytes() {
      return buf.length == count ? buf : toByteArray();
    }
  }
}
