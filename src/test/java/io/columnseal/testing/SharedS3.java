package io.columnseal.testing;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.connector.Connector;
import org.apache.hadoop.conf.Configuration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one in-process S3 server (Adobe S3Mock) of the test JVM, started on first use (about 10 s)
 * and stopped when the JVM exits. It listens on 127.0.0.1 only, on ports the OS picks, over
 * plain HTTP; nothing here can reach AWS.
 *
 * <p>Tests take a fresh bucket each ({@link #newBucket}), so they never see each other's
 * objects, and point s3a at the mock with {@link #configure}.
 */
public final class SharedS3 {
  /** Fake credentials: S3Mock does not check signatures, and these can match no real key. */
  public static final String ACCESS_KEY = "test";
  public static final String SECRET_KEY = "test";
  public static final String REGION = "us-east-1";

  /** Held so their level sticks: Tomcat logs its start-up at INFO through java.util.logging. */
  private static final List<Logger> TOMCAT_LOGS = List.of(Logger.getLogger("org.apache.catalina"),
      Logger.getLogger("org.apache.coyote"), Logger.getLogger("org.apache.tomcat"));

  private static S3MockExtension server;
  private static S3Client client;

  private SharedS3() {}

  /** {@code http://127.0.0.1:<port>}. */
  public static synchronized String endpoint() {
    if (server == null) {
      server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(SharedS3::stop));
    }
    return "http://127.0.0.1:" + server.getHttpPort();
  }

  /** An S3 client for test set-up and checks, against the mock. Do not close it. */
  public static synchronized S3Client client() {
    if (client == null) {
      client = S3Client.builder()
          .endpointOverride(URI.create(endpoint()))
          .region(Region.of(REGION))
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
          .forcePathStyle(true)
          .build();
    }
    return client;
  }

  /** Creates an empty bucket with a unique name starting with {@code prefix}. */
  public static String newBucket(String prefix) {
    String name = (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    client().createBucket(b -> b.bucket(name));
    return name;
  }

  /**
   * Points s3a (and columnseal's conditional manifest writes, which read the same keys) at the
   * mock, and turns off everything that would otherwise look for AWS: the credential chain
   * (instance metadata), the region lookup, the bucket probe at file system start-up.
   */
  public static void configure(Configuration conf) {
    conf.set("fs.s3a.endpoint", endpoint());
    conf.set("fs.s3a.endpoint.region", REGION);
    conf.setBoolean("fs.s3a.path.style.access", true);
    conf.setBoolean("fs.s3a.connection.ssl.enabled", false);
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", ACCESS_KEY);
    conf.set("fs.s3a.secret.key", SECRET_KEY);
    conf.setInt("fs.s3a.bucket.probe", 0);
    // s3a 3.3 deletes the parent directory markers after every file it writes; Spark's tasks do
    // that for the same markers at once, and S3Mock's DeleteObjects is not safe against that
    // (HTTP 500, which s3a ignores, with a stack trace in the log). Keeping markers avoids both.
    conf.set("fs.s3a.directory.marker.retention", "keep");
    // Fail fast instead of retrying for minutes if the mock misbehaves.
    conf.setInt("fs.s3a.attempts.maximum", 2);
    conf.setInt("fs.s3a.retry.limit", 2);
  }

  private static S3MockExtension start() {
    // Neither AWS SDK may ask the EC2 instance metadata service for anything in tests.
    System.setProperty("aws.disableEc2Metadata", "true");
    System.setProperty("com.amazonaws.sdk.disableEc2Metadata", "true");
    // Spring Boot would otherwise re-initialise log4j2 with its own configuration, under Spark.
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    TOMCAT_LOGS.forEach(l -> l.setLevel(Level.WARNING));
    // The JVM takes one URL stream handler factory. Spark's SharedState may have set Hadoop's
    // already (if a Spark test ran first); Tomcat's own is only for war: URLs, which S3Mock does
    // not serve, so it must not try to set it ("factory already defined").
    org.apache.catalina.webresources.TomcatURLStreamHandlerFactory.disable();
    // Started by hand, not as a JUnit extension: one server for every test class of the JVM.
    S3MockExtension mock = S3MockExtension.builder()
        // Port 0: the OS picks free ports, for the HTTPS connector and for the HTTP one we use.
        .withHttpsPort(0)
        .withHttpPort(0)
        .withProperty("server.address", "127.0.0.1")
        // S3Mock's HTTP connector is a bare Tomcat Connector that server.address does not reach.
        .withProperty("spring.main.sources", LoopbackConnectors.class.getName())
        .silent()
        .build();
    mock.start();
    return mock;
  }

  private static synchronized void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  /**
   * Binds every Tomcat connector bean of S3Mock to the loopback address before it starts
   * (Tomcat binds all interfaces when a connector has no address).
   */
  public static final class LoopbackConnectors implements BeanPostProcessor {
    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
      if (bean instanceof Connector && !((Connector) bean).setProperty("address", "127.0.0.1")) {
        throw new IllegalStateException("cannot bind S3Mock's connector " + beanName + " to 127.0.0.1");
      }
      return bean;
    }
  }
}
