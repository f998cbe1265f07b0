package io.columnseal.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class SharedS3Test {
  @Test
  void oneServerOnLoopback() {
    URI endpoint = URI.create(SharedS3.endpoint());
    assertEquals("http", endpoint.getScheme());
    assertEquals("127.0.0.1", endpoint.getHost());
    assertTrue(endpoint.getPort() > 0);
    assertEquals(SharedS3.endpoint(), SharedS3.endpoint());
    String bucket = SharedS3.newBucket("shared-s3-test");
    SharedS3.client().putObject(b -> b.bucket(bucket).key("a/b.txt"), RequestBody.fromString("hello"));
    assertEquals("hello", SharedS3.client().getObjectAsBytes(b -> b.bucket(bucket).key("a/b.txt")).asUtf8String());
  }

  /** The mock's port answers on 127.0.0.1 but not on this host's other addresses. */
  @Test
  void notReachableOnOtherInterfaces() throws IOException {
    int port = URI.create(SharedS3.endpoint()).getPort();
    Optional<InetAddress> other = nonLoopbackAddress();
    assumeTrue(other.isPresent(), "this host has no non-loopback IPv4 address to try");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
    }
    assertThrows(IOException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(other.get(), port), 2000);
      }
    });
  }

  /** What the manifest commits on S3 rely on: PUT with If-None-Match: * fails with 412 on an existing key. */
  @Test
  void conditionalPutRefusesAnExistingKey() {
    S3Client s3 = SharedS3.client();
    String bucket = SharedS3.newBucket("if-none-match");
    s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("first"));
    S3Exception e = assertThrows(S3Exception.class,
        () -> s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("second")));
    assertEquals(412, e.statusCode());
    assertEquals("first", s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String());
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
