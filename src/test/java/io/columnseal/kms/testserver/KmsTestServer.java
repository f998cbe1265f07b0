package io.columnseal.kms.testserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.columnseal.kms.KeyServiceSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process AWS KMS for tests, spoken to by the real SDK {@code KmsClient} through
 * {@code endpointOverride}: AWS JSON 1.1 over HTTP on 127.0.0.1, {@code X-Amz-Target:
 * TrentService.<Operation>}. It keeps KMS semantics (key ARNs, aliases, key versions on
 * rotation, blobs bound to key, version and encryption context, key states, the error types
 * and HTTP statuses KMS answers), a per-principal permission table, fault injection and a
 * request log. Signatures are not checked; the access key id is read from the SigV4
 * Authorization header and names the principal.
 *
 * <pre>{@code
 * try (KmsTestServer kms = KmsTestServer.start()) {
 *   String arn = kms.createKey("cards master key");
 *   kms.createAlias("alias/cards", arn);
 *   kms.permissions().restrict("AKIDTESTENCRYPTOR", "kms:GenerateDataKey", "kms:DescribeKey");
 *   kms.faults().throttle(0.3, 42);
 *   KeyServiceSpec spec = kms.spec();          // region us-east-1, endpoint http://127.0.0.1:port
 *   ...
 *   kms.log().of("GenerateDataKey").get(0).context();
 * }
 * }</pre>
 */
public final class KmsTestServer implements AutoCloseable {
  public static final String REGION = ServerKeys.REGION;
  public static final String ACCOUNT = ServerKeys.ACCOUNT;
  /** A fake secret for test credentials; the server does not check signatures. */
  public static final String TEST_SECRET = "test-secret";

  private static final String TARGET_PREFIX = "TrentService.";
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");
  private static final AtomicInteger SERVERS = new AtomicInteger();

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK: about 40 ms per request. Read once, when the JVM's first HttpServer starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;
  private final ObjectMapper json = new ObjectMapper();
  private final ServerKeys keys = new ServerKeys();
  private final KmsOperations operations = new KmsOperations(keys, json);
  private final Permissions permissions = new Permissions();
  private final Faults faults = new Faults();
  private final RequestLog log = new RequestLog();

  private KmsTestServer(int handlerThreads) throws IOException {
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    http = HttpServer.create(new InetSocketAddress(loopback, 0), Math.max(64, handlerThreads));
    int n = SERVERS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    executor = Executors.newFixedThreadPool(handlerThreads, r -> {
      Thread t = new Thread(r, "kms-test-server-" + n + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    http.createContext("/", this::handle);
  }

  /** Starts a server on 127.0.0.1 and a free port, answering 16 requests at a time. */
  public static KmsTestServer start() {
    return start(16);
  }

  /**
   * As {@link #start()}, answering up to {@code handlerThreads} requests at a time: with
   * injected latency each request holds a thread, so a load test needs as many threads as
   * it keeps calls in flight.
   */
  public static KmsTestServer start(int handlerThreads) {
    try {
      KmsTestServer s = new KmsTestServer(handlerThreads);
      s.http.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the KMS test server", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  /** A spec pointing at this server (region us-east-1, default credential chain). */
  public KeyServiceSpec spec() {
    return KeyServiceSpec.aws(REGION, endpoint().toString(), null);
  }

  public Permissions permissions() {
    return permissions;
  }

  public Faults faults() {
    return faults;
  }

  public RequestLog log() {
    return log;
  }

  // Set-up helpers: the same effects as the KMS operations, without a request or a log entry.

  /** Creates an enabled symmetric key; returns its ARN. */
  public String createKey(String description) {
    return keys.create(description).arn;
  }

  /** Creates an enabled HMAC_256 key (usage GENERATE_VERIFY_MAC); returns its ARN. */
  public String createHmacKey(String description) {
    return keys.create(description, ServerKeys.HMAC_256).arn;
  }

  public void createAlias(String aliasName, String keyId) {
    keys.createAlias(aliasName, keyId);
  }

  /** RotateKeyOnDemand: a new key version; older blobs still decrypt. */
  public void rotate(String keyId) {
    keys.rotate(keys.resolve(keyId, true));
  }

  public void disable(String keyId) {
    keys.setEnabled(keys.resolve(keyId, true), false);
  }

  public void enable(String keyId) {
    keys.setEnabled(keys.resolve(keyId, true), true);
  }

  public void scheduleDeletion(String keyId) {
    keys.scheduleDeletion(keys.resolve(keyId, true), 7);
  }

  /** How many versions of key material the key has (1 + rotations). */
  public int keyVersions(String keyId) {
    return keys.snapshot(keys.resolve(keyId, true)).versions();
  }

  /**
   * GenerateDataKeyWithoutPlaintext without a request or a log entry: 32 random bytes sealed
   * under the key's newest material with {@code context}, exactly as that operation answers.
   * For building large fixtures (a manifest of 100,000 DEKs) in seconds.
   */
  public byte[] generateWrappedDataKey(String keyId, Map<String, String> context) {
    ServerKeys.Key k = keys.resolve(keyId, true);
    keys.requireUsable(k);
    return keys.seal(k, keys.randomBytes(32), context);
  }

  /** The ARN of the key a blob of this server was sealed under. */
  public String blobKeyArn(byte[] blob) {
    return keys.header(blob).key().arn;
  }

  /** The key version (1 = original material) a blob of this server was sealed under. */
  public int blobKeyVersion(byte[] blob) {
    return keys.header(blob).version();
  }

  /** Stops at once; requests in flight are cut. */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] request = ex.getRequestBody().readAllBytes();
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String operation = target != null && target.startsWith(TARGET_PREFIX)
          ? target.substring(TARGET_PREFIX.length()) : String.valueOf(target);
      String accessKeyId = accessKeyId(ex.getRequestHeaders().getFirst("Authorization"));
      JsonNode body = parse(request);
      KmsOperations.Call call = new KmsOperations.Call(body == null ? json.createObjectNode() : body);

      Faults.Action fault = faults.next(operation);
      if (fault == Faults.Action.DROP_CONNECTION) {
        record(operation, accessKeyId, call, 0, LoggedRequest.DROPPED);
        // The JDK server closes the connection when a handler throws before answering.
        throw new IOException("KMS test server outage: connection dropped");
      }
      sleep(faults.latencyMillis());
      int status;
      String outcome;
      byte[] answer;
      try {
        ObjectNode result = answer(operation, target, accessKeyId, body, call, fault);
        String lie = faults.answeredKeyId();
        if (lie != null && result.has("KeyId")) {
          result.put("KeyId", lie);
        }
        if (faults.corruptReEncryptBlobs() && "ReEncrypt".equals(operation)) {
          byte[] blob = result.get("CiphertextBlob").binaryValue();
          blob[blob.length - 1] ^= 1;
          result.put("CiphertextBlob", blob);
        }
        String sourceLie = faults.answeredSourceKeyId();
        if (sourceLie != null && result.has("SourceKeyId")) {
          result.put("SourceKeyId", sourceLie);
        }
        status = 200;
        outcome = LoggedRequest.OK;
        answer = json.writeValueAsBytes(result);
      } catch (KmsError e) {
        status = e.status;
        outcome = e.type;
        ObjectNode err = json.createObjectNode().put("__type", e.type);
        if (e.getMessage() != null) {
          err.put("message", e.getMessage());
        }
        answer = json.writeValueAsBytes(err);
      } catch (RuntimeException e) {
        // A bug in the server: answer as KMS would, and let the log say what happened.
        status = 500;
        outcome = "KMSInternalException(" + e + ")";
        answer = json.writeValueAsBytes(json.createObjectNode().put("__type", "KMSInternalException"));
      }
      record(operation, accessKeyId, call, status, outcome);
      ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
      ex.sendResponseHeaders(status, answer.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  private ObjectNode answer(String operation, String target, String accessKeyId, JsonNode body,
      KmsOperations.Call call, Faults.Action fault) {
    if (fault == Faults.Action.INTERNAL_ERROR) {
      throw KmsError.internal();
    }
    if (fault == Faults.Action.THROTTLE) {
      throw KmsError.throttling();
    }
    if (accessKeyId == null) {
      throw KmsError.missingAuthentication();
    }
    if (body == null) {
      throw KmsError.serialization("Start of structure or map found where not expected.");
    }
    KmsOperations.Operation op = operations.find(operation);
    if (op == null) {
      throw KmsError.unknownOperation(String.valueOf(target));
    }
    for (String action : op.actions()) {
      String resource = firstNonNull(KmsOperations.text(call.body, "KeyId"),
          KmsOperations.text(call.body, "SourceKeyId"), "*");
      if (!permissions.allows(accessKeyId, action, resource)) {
        throw KmsError.accessDenied(accessKeyId, action, resource);
      }
    }
    return op.handler().answer(call);
  }

  private void record(String operation, String accessKeyId, KmsOperations.Call call, int status, String outcome) {
    JsonNode b = call.body;
    String keyId = firstNonNull(KmsOperations.text(b, "KeyId"), KmsOperations.text(b, "SourceKeyId"),
        KmsOperations.text(b, "TargetKeyId"));
    Map<String, String> context = safeContext(b, b.has("SourceEncryptionContext")
        ? "SourceEncryptionContext" : "EncryptionContext");
    log.add(new LoggedRequest(operation, accessKeyId, keyId, KmsOperations.text(b, "DestinationKeyId"),
        context, safeContext(b, "DestinationEncryptionContext"), call.keyArn, status, outcome));
  }

  private static Map<String, String> safeContext(JsonNode body, String field) {
    try {
      return KmsOperations.context(body, field);
    } catch (KmsError e) {
      return Collections.emptyMap();
    }
  }

  private JsonNode parse(byte[] request) {
    if (request.length == 0) {
      return json.createObjectNode();
    }
    try {
      JsonNode n = json.readTree(request);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String accessKeyId(String authorization) {
    if (authorization == null) {
      return null;
    }
    Matcher m = CREDENTIAL.matcher(authorization);
    return m.find() ? m.group(1) : null;
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
