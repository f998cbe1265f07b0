package io.columnseal.kms;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A reference to a local master key in one of the four forms KMS accepts: the key id (a UUID),
 * the key ARN, {@code alias/<name>}, or the alias ARN. ARNs use the fixed region {@code local}
 * and account {@code 000000000000}, so they can never be mistaken for a real AWS key.
 */
final class LocalKeyRef {
  static final String REGION = "local";
  static final String ACCOUNT = "000000000000";
  static final String ARN_PREFIX = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":";
  static final String ALIAS_PREFIX = "alias/";

  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  // KMS alias rules: "alias/" then letters, digits, '/', '_' and '-', 256 characters in all.
  private static final Pattern ALIAS = Pattern.compile("alias/[A-Za-z0-9/_-]{1,250}");

  private final UUID keyId;
  private final String alias;

  private LocalKeyRef(UUID keyId, String alias) {
    this.keyId = keyId;
    this.alias = alias;
  }

  /** The reference, or null when {@code ref} is in none of the four forms. */
  static LocalKeyRef parse(String ref) {
    if (ref == null) {
      return null;
    }
    String rest = ref.startsWith(ARN_PREFIX) ? ref.substring(ARN_PREFIX.length()) : null;
    if (rest != null && rest.startsWith("key/")) {
      UUID id = parseKeyId(rest.substring("key/".length()));
      return id == null ? null : new LocalKeyRef(id, null);
    }
    String aliasForm = rest != null ? rest : ref;
    if (ALIAS.matcher(aliasForm).matches()) {
      return new LocalKeyRef(null, aliasForm);
    }
    if (rest == null) {
      UUID id = parseKeyId(ref);
      return id == null ? null : new LocalKeyRef(id, null);
    }
    return null;
  }

  /** The canonical UUID, or null if {@code s} is not the 8-4-4-4-12 hex form. */
  static UUID parseKeyId(String s) {
    return s != null && KEY_ID.matcher(s).matches() ? UUID.fromString(s.toLowerCase(Locale.ROOT)) : null;
  }

  /**
   * A new alias name in its stored form {@code alias/<name>}; a bare name gets the prefix.
   *
   * @throws IllegalArgumentException if the name breaks the KMS alias rules or is reserved
   */
  static String aliasName(String aliasOrName) {
    String alias = aliasOrName.startsWith(ALIAS_PREFIX) ? aliasOrName : ALIAS_PREFIX + aliasOrName;
    if (!ALIAS.matcher(alias).matches()) {
      // Not quoted: text that breaks the rules could be anything, a pasted secret included.
      throw new IllegalArgumentException("Cannot use the alias given (" + aliasOrName.length() + " characters)"
          + ": an alias is alias/<name> with letters, digits, '/', '_' or '-', at most 256 characters");
    }
    if (alias.startsWith("alias/aws/")) {
      throw new IllegalArgumentException("Cannot use alias " + aliasOrName + ": alias/aws/ is reserved for AWS managed keys");
    }
    return alias;
  }

  /**
   * The reference as an exception may name it: quoted when it is in one of the KMS forms (of any
   * account), else only its length, since malformed text could be a secret pasted by mistake.
   */
  static String printable(String ref) {
    return AwsKeyRef.problem(ref) == null || parse(ref) != null ? ref : AwsKeyRef.INVALID;
  }

  /** Why {@code ref} names no key of a local keyring, without quoting it when it is malformed. */
  static String formProblem(String ref) {
    if (AwsKeyRef.problem(ref) == null || parse(ref) != null) {
      return "not a key id, key ARN, alias name or alias ARN of a local keyring";
    }
    return "not a key id, key ARN, alias name or alias ARN (" + (ref == null ? 0 : ref.length()) + " characters)";
  }

  static boolean isAliasName(String s) {
    return s != null && ALIAS.matcher(s).matches() && !s.startsWith("alias/aws/");
  }

  static String keyArn(UUID keyId) {
    return ARN_PREFIX + "key/" + keyId;
  }

  static String aliasArn(String alias) {
    return ARN_PREFIX + alias;
  }

  /** Null for an alias reference. */
  UUID keyId() {
    return keyId;
  }

  /** Null for a key reference. */
  String alias() {
    return alias;
  }
}
