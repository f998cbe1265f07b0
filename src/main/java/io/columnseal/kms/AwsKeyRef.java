package io.columnseal.kms;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four forms in which KMS accepts a key (key id, key ARN, alias name, alias ARN), and what
 * each lets us check about the key ARN KMS answers with. Malformed references are described,
 * never quoted: a pasted secret in the wrong field must not reach a log or an exception.
 */
final class AwsKeyRef {
  /** What an exception names instead of a malformed reference. */
  static final String INVALID = "(invalid key reference)";

  private static final String KEY_ID = "(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
      + "|mrk-[0-9a-f]{32})";
  private static final String ARN_HEAD = "(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:)";
  private static final String ALIAS = "alias/[A-Za-z0-9/_-]{1,250}";
  private static final Pattern BARE_KEY = Pattern.compile(KEY_ID);
  private static final Pattern KEY_ARN = Pattern.compile(ARN_HEAD + "key/" + KEY_ID);
  private static final Pattern ALIAS_NAME = Pattern.compile(ALIAS);
  private static final Pattern ALIAS_ARN = Pattern.compile(ARN_HEAD + ALIAS);

  private AwsKeyRef() {
  }

  /** Null when {@code ref} is in one of the four forms, else what is wrong with it, unquoted. */
  static String problem(String ref) {
    if (ref == null || ref.isEmpty()) {
      return "no key id given";
    }
    if (BARE_KEY.matcher(ref).matches() || KEY_ARN.matcher(ref).matches()
        || ALIAS_NAME.matcher(ref).matches() || ALIAS_ARN.matcher(ref).matches()) {
      return null;
    }
    return "the key is not a key id, key ARN, alias name or alias ARN (" + ref.length() + " characters)";
  }

  static boolean isKeyArn(String s) {
    return s != null && KEY_ARN.matcher(s).matches();
  }

  /**
   * Null when {@code answered} can be the key ARN of {@code requested}, else why not. A key ARN
   * must come back unchanged; a key id must come back inside its ARN; an alias ARN must come back
   * as a key ARN of the same partition, region and account; an alias name only as some key ARN
   * (callers that need more resolve the alias with DescribeKey first, as the jobs do on the
   * driver, and pass the key ARN).
   */
  static String answerProblem(String requested, String answered) {
    if (!isKeyArn(answered)) {
      return "KMS answered without a key ARN";
    }
    if (KEY_ARN.matcher(requested).matches()) {
      return requested.equals(answered) ? null : "KMS answered with key " + answered + " but " + requested + " was asked for";
    }
    if (BARE_KEY.matcher(requested).matches()) {
      return answered.endsWith(":key/" + requested) ? null
          : "KMS answered with key " + answered + " but key id " + requested + " was asked for";
    }
    Matcher alias = ALIAS_ARN.matcher(requested);
    if (alias.matches()) {
      return answered.startsWith(alias.group(1)) ? null
          : "KMS answered with key " + answered + ", outside the account and region of " + requested;
    }
    return null;
  }
}
