package io.columnseal.manifest;

import io.columnseal.kms.GeneratedMac;
import io.columnseal.kms.KeyService;
import java.util.Objects;
import org.apache.hadoop.fs.Path;

/**
 * manifest.macKey: the KMS HMAC key that authenticates commits (docs/FORMAT.md 5.4). A reader
 * verifies only the head it trusts, with the configured key (never the key a commit names): every
 * commit before the head is bound to it by the digest chain that replay checks.
 */
public final class ManifestMacKey {
  private final KeyService kms;
  private final String keyId;
  private final boolean writer;
  /** The digest of the one head without a MAC that {@code manifest authenticate} vouches for, or null. */
  private final String adoptDigest;

  /** @param keyId a key id, key ARN, alias name or alias ARN of an HMAC key */
  public ManifestMacKey(KeyService kms, String keyId) {
    this(kms, keyId, false, null);
  }

  private ManifestMacKey(KeyService kms, String keyId, boolean writer, String adoptDigest) {
    this.kms = Objects.requireNonNull(kms, "kms");
    this.keyId = Objects.requireNonNull(keyId, "keyId");
    this.writer = writer;
    this.adoptDigest = adoptDigest;
  }

  /**
   * The same key for a writer (encrypt, rewrap, recover): it appends only onto a head the key
   * authenticates, as readers open only such a head.
   */
  public ManifestMacKey forWriter() {
    return new ManifestMacKey(kms, keyId, true, null);
  }

  /**
   * The writer of {@code manifest authenticate}: the one writer that appends onto a head without
   * a MAC, and only onto the head whose digest the operator was shown ({@code headDigest}), so a
   * head that changed since is refused like any other.
   */
  public ManifestMacKey adopting(String headDigest) {
    return new ManifestMacKey(kms, keyId, true, Objects.requireNonNull(headDigest, "headDigest"));
  }

  /** The check of a store's read: {@link #requireAppendable} for a writer, else {@link #requireReadable}. */
  void requireTrusted(Commit head, Path headFile) {
    if (writer) {
      requireAppendable(head, headFile);
    } else {
      requireReadable(head, headFile);
    }
  }

  /** The key as configured (for messages). */
  public String keyId() {
    return keyId;
  }

  /** GenerateMac over commit {@code c}'s MAC message; {@code c} must be sealed (digest set). */
  CommitMac sign(Commit c) {
    GeneratedMac m = kms.generateMac(keyId, CommitMac.message(c.datasetId(), c.number(), c.digest()));
    return new CommitMac(m.keyArn(), m.mac());
  }

  /** GenerateMac over any message of this manifest (a checkpoint's, FORMAT.md 5.10). */
  CommitMac sign(byte[] message) {
    GeneratedMac m = kms.generateMac(keyId, message);
    return new CommitMac(m.keyArn(), m.mac());
  }

  /** Whether {@code mac} authenticates {@code message} under this key (one VerifyMac), naming the key KMS used. */
  boolean verifies(byte[] message, CommitMac mac) {
    String arn = kms.verifyMacKey(keyId, message, mac.value());
    return arn != null && arn.equals(mac.keyArn());
  }

  /**
   * Why {@code c} is not authenticated by this key, or null if it is: one VerifyMac call when
   * {@code c} carries a MAC, none when it does not.
   */
  public String problem(Commit c) {
    if (c.mac() == null) {
      return "it carries no MAC (format version " + c.formatVersion() + ")";
    }
    String arn = kms.verifyMacKey(keyId, CommitMac.message(c.datasetId(), c.number(), c.digest()), c.mac().value());
    if (arn == null) {
      return "MAC does not verify";
    }
    if (!arn.equals(c.mac().keyArn())) {
      return "the commit names MAC key " + c.mac().keyArn() + " but KMS verified with " + arn;
    }
    return null;
  }

  /**
   * A reader's check of the head it opens.
   *
   * @throws ManifestNotAuthenticatedException naming dataset, commit and file
   */
  void requireReadable(Commit head, Path file) {
    String problem = problem(head);
    if (problem != null) {
      throw refusal(head, file, problem + (head.mac() == null ? ADOPTION : ""));
    }
  }

  /**
   * A writer's check of the head it appends to: as a reader's (else an honest writer would chain
   * a forged, rolled-back or unauthenticated head and MAC it), except for the one head an
   * {@link #adopting} key was made for.
   */
  void requireAppendable(Commit head, Path file) {
    if (adoptDigest != null && head.mac() == null && adoptDigest.equals(head.digest())) {
      return;
    }
    String problem = problem(head);
    if (problem != null) {
      throw refusal(head, file, problem + (head.mac() == null ? ADOPTION : "") + "; refused to append onto it");
    }
  }

  /** How a head without a MAC gets one: never implicitly, from a log anyone who can write it controls. */
  private static final String ADOPTION = "; a dataset written without the key is authenticated once, by an operator"
      + " who checked it, with columnseal manifest authenticate";

  private ManifestNotAuthenticatedException refusal(Commit head, Path file, String problem) {
    return new ManifestNotAuthenticatedException("commit " + head.number() + " of dataset " + head.datasetId() + " ("
        + file + ") is not authenticated by manifest.macKey " + keyId + ": " + problem);
  }

  @Override
  public String toString() {
    return "ManifestMacKey[" + keyId + "]";
  }
}
