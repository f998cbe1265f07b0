package io.columnseal.kms.testserver;

import java.time.Duration;
import java.util.Random;

/**
 * Faults the server injects before it answers a request: latency, throttling (HTTP 400
 * ThrottlingException), KMS internal errors (HTTP 500 KMSInternalException) for a fraction of
 * requests or the next N, a full outage (the connection is dropped without an answer) now or
 * after N requests of one operation, and a lying KMS that names another key (or another ReEncrypt
 * source key) in its answers (to test that clients check the key).
 * Fractions draw from one seeded {@link Random}, so a sequential test sees the same faults on
 * every run.
 */
public final class Faults {
  /** What to do with one request. */
  enum Action {
    NONE, DROP_CONNECTION, INTERNAL_ERROR, THROTTLE
  }

  private Random random = new Random(0);
  private double throttleRate;
  private double internalErrorRate;
  private int failNext;
  private int throttleNext;
  private long latencyMillis;
  private boolean outage;
  private String outageAfterOperation;
  private int outageAfterCount;
  private String answeredKeyId;
  private String answeredSourceKeyId;
  private boolean corruptReEncryptBlobs;

  /** Throttles this fraction (0..1) of requests; 1 throttles all. */
  public synchronized Faults throttle(double fraction, long seed) {
    this.throttleRate = fraction(fraction);
    this.random = new Random(seed);
    return this;
  }

  /** Answers 500 KMSInternalException to this fraction (0..1) of requests. */
  public synchronized Faults internalErrors(double fraction, long seed) {
    this.internalErrorRate = fraction(fraction);
    this.random = new Random(seed);
    return this;
  }

  /** Answers 500 KMSInternalException to the next {@code n} requests. */
  public synchronized Faults failNext(int n) {
    this.failNext = n;
    return this;
  }

  /** Throttles the next {@code n} requests. */
  public synchronized Faults throttleNext(int n) {
    this.throttleNext = n;
    return this;
  }

  /** Waits this long before answering each request. */
  public synchronized Faults latency(Duration d) {
    this.latencyMillis = d.toMillis();
    return this;
  }

  /** While on, every request's connection is dropped without an answer. */
  public synchronized Faults outage(boolean on) {
    this.outage = on;
    return this;
  }

  /**
   * Answers the next {@code n} requests of {@code operation}, then starts an outage (as
   * {@link #outage(boolean) outage(true)}, for every operation) at the one after: a KMS that
   * goes away in the middle of a job.
   */
  public synchronized Faults outageAfter(String operation, int n) {
    this.outageAfterOperation = operation;
    this.outageAfterCount = n;
    return this;
  }

  /** Successful answers name {@code keyArn} as KeyId instead of the real key. Null turns it off. */
  public synchronized Faults answerWithKeyId(String keyArn) {
    this.answeredKeyId = keyArn;
    return this;
  }

  /** ReEncrypt answers name {@code keyArn} as SourceKeyId instead of the blob's key. Null turns it off. */
  public synchronized Faults answerWithSourceKeyId(String keyArn) {
    this.answeredSourceKeyId = keyArn;
    return this;
  }

  /** While on, each ReEncrypt answer's CiphertextBlob has its last byte flipped: a blob no key unwraps. */
  public synchronized Faults corruptReEncryptBlobs(boolean on) {
    this.corruptReEncryptBlobs = on;
    return this;
  }

  /** No faults. */
  public synchronized void clear() {
    throttleRate = 0;
    internalErrorRate = 0;
    failNext = 0;
    throttleNext = 0;
    latencyMillis = 0;
    outage = false;
    outageAfterOperation = null;
    outageAfterCount = 0;
    answeredKeyId = null;
    answeredSourceKeyId = null;
    corruptReEncryptBlobs = false;
    random = new Random(0);
  }

  synchronized Action next(String operation) {
    if (outageAfterOperation != null && outageAfterOperation.equals(operation)) {
      if (outageAfterCount == 0) {
        outage = true;
        outageAfterOperation = null;
      } else {
        outageAfterCount--;
      }
    }
    if (outage) {
      return Action.DROP_CONNECTION;
    }
    if (failNext > 0) {
      failNext--;
      return Action.INTERNAL_ERROR;
    }
    if (throttleNext > 0) {
      throttleNext--;
      return Action.THROTTLE;
    }
    if (internalErrorRate > 0 && random.nextDouble() < internalErrorRate) {
      return Action.INTERNAL_ERROR;
    }
    if (throttleRate > 0 && random.nextDouble() < throttleRate) {
      return Action.THROTTLE;
    }
    return Action.NONE;
  }

  synchronized long latencyMillis() {
    return latencyMillis;
  }

  synchronized String answeredKeyId() {
    return answeredKeyId;
  }

  synchronized boolean corruptReEncryptBlobs() {
    return corruptReEncryptBlobs;
  }

  synchronized String answeredSourceKeyId() {
    return answeredSourceKeyId;
  }

  private static double fraction(double f) {
    if (f < 0 || f > 1) {
      throw new IllegalArgumentException("a fraction between 0 and 1, got " + f);
    }
    return f;
  }
}
