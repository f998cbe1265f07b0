package io.columnseal.jobs.domain;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.protect.DomainKey;
import io.columnseal.kms.AwsKms;
import io.columnseal.kms.AwsKmsOptions;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.GeneratedDomainKey;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.LocalKeyring;
import io.columnseal.kms.WrappedKey;
import io.columnseal.kms.testserver.KmsTestServer;
import io.columnseal.kms.testserver.TestClients;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The two key service backends for the domain key tests, each counting the KMS calls made through it. */
abstract class DomainBackends implements AutoCloseable {
  @Override
  public abstract void close();

  abstract KeyService kms();

  abstract String createKey(String name);

  abstract void disable(String arn);

  /** KMS calls made so far through {@link #kms()} (any operation). */
  abstract int calls();

  static DomainBackends local(Path dir) {
    LocalKeyring ring = LocalKeyring.createOrOpen(dir.resolve("keyring.json"));
    Counting counting = new Counting(ring);
    return new DomainBackends() {
      @Override KeyService kms() { return counting; }
      @Override String createKey(String name) { return ring.createKey("alias/" + name, name).keyArn(); }
      @Override void disable(String arn) { ring.disable(arn); }
      @Override int calls() { return counting.calls.get(); }
      @Override public void close() { ring.close(); }
      @Override public String toString() { return "local keyring"; }
    };
  }

  static Aws aws() {
    return new Aws(KmsTestServer.start());
  }

  static final class Aws extends DomainBackends {
    final KmsTestServer server;
    final KeyService main;

    Aws(KmsTestServer server) {
      this.server = server;
      this.main = as("AKIDTESTDOMAIN");
    }

    KeyService as(String accessKeyId) {
      return new AwsKms(server.spec(), AwsKmsOptions.builder().credentials(TestClients.credentials(accessKeyId)).build());
    }

    @Override KeyService kms() { return main; }
    @Override String createKey(String name) { return server.createKey(name); }
    @Override void disable(String arn) { server.disable(arn); }
    @Override int calls() { return server.log().entries().size(); }
    @Override public void close() { main.close(); server.close(); }
    @Override public String toString() { return "AWS KMS test server"; }
  }

  /** Delegates, counting every call that reaches the key service. */
  static final class Counting implements KeyService {
    final KeyService inner;
    final AtomicInteger calls = new AtomicInteger();

    Counting(KeyService inner) {
      this.inner = inner;
    }

    @Override
    public GeneratedDomainKey generateDomainKey(String keyId, String domain, DekId id, EncryptionContext context) {
      calls.incrementAndGet();
      return inner.generateDomainKey(keyId, domain, id, context);
    }

    @Override
    public DomainKey decryptDomainKey(WrappedKey wrapped, String domain, DekId id, EncryptionContext context) {
      calls.incrementAndGet();
      return inner.decryptDomainKey(wrapped, domain, id, context);
    }

    @Override
    public GeneratedDataKey generateDataKey(String keyId, DekId dekId, EncryptionContext context) {
      calls.incrementAndGet();
      return inner.generateDataKey(keyId, dekId, context);
    }

    @Override
    public OpeningKey decrypt(WrappedKey wrapped, DekId dekId, EncryptionContext context) {
      calls.incrementAndGet();
      return inner.decrypt(wrapped, dekId, context);
    }

    @Override
    public WrappedKey reEncrypt(WrappedKey wrapped, EncryptionContext context, String destinationKeyId) {
      calls.incrementAndGet();
      return inner.reEncrypt(wrapped, context, destinationKeyId);
    }

    @Override
    public String identity() {
      return inner.identity();
    }

    @Override
    public KeyDescription describeKey(String keyId) {
      calls.incrementAndGet();
      return inner.describeKey(keyId);
    }

    @Override
    public void close() {}
  }
}
