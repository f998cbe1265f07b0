package io.columnseal.kms;

import io.columnseal.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master keys a reader trusts ({@code kms.allowedKeys}): key ARNs, alias ARNs (resolved to
 * key ARNs with one DescribeKey each, on the driver), and account/Region patterns
 * ({@code arn:aws:kms:eu-west-1:111122223333:key/*}). Readers check every DEK's key ARN, as the
 * manifest records it, before their first KMS call that carries a wrapped blob, so whoever can
 * write the manifest cannot choose the master key (docs/jobs/decrypt.md, "Trusted keys").
 *
 * <p>Without a list, {@link #defaultFor} trusts the account and Region of the master keys of the
 * dataset's first commit that added DEKs: a fresh user's first decrypt works, and a later commit
 * that points DEKs at a key in another account or Region (a key of the writer's own) is refused.
 */
public final class TrustedKeys {
  public static final String OPTION = "kms.allowedKeys";
  private static final String HEAD = "arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:";
  private static final Pattern KEY_ARN = Pattern.compile(HEAD + "key/[A-Za-z0-9-]{1,64}");
  private static final Pattern ALIAS_ARN = Pattern.compile(HEAD + "alias/[A-Za-z0-9/_-]{1,250}");
  private static final Pattern ACCOUNT_REGION = Pattern.compile("(" + HEAD + ")key/\\*");

  private final Set<String> keyArns;
  private final Set<String> aliasArns;
  private final Set<String> prefixes; // "arn:...:kms:<region>:<account>:key/" of each pattern
  private final String source;

  private TrustedKeys(Set<String> keyArns, Set<String> aliasArns, Set<String> prefixes, String source) {
    this.keyArns = Set.copyOf(keyArns);
    this.aliasArns = Set.copyOf(aliasArns);
    this.prefixes = Set.copyOf(prefixes);
    this.source = source;
  }

  /**
   * The list as configured. An entry in none of the three forms is refused naming its position,
   * not its text (a secret pasted into the wrong option must not reach a terminal).
   */
  public static TrustedKeys of(List<String> entries) {
    if (entries.isEmpty()) {
      throw new ConfigException("Cannot set " + OPTION + " to an empty list: name at least one key ARN, alias ARN"
          + " or arn:aws:kms:REGION:ACCOUNT:key/* pattern, or leave it unset for the default");
    }
    Set<String> keys = new LinkedHashSet<>();
    Set<String> aliases = new LinkedHashSet<>();
    Set<String> prefixes = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String e = Objects.requireNonNull(entries.get(i), OPTION).trim();
      Matcher pattern = ACCOUNT_REGION.matcher(e);
      if (KEY_ARN.matcher(e).matches()) {
        keys.add(e);
      } else if (ALIAS_ARN.matcher(e).matches()) {
        aliases.add(e);
      } else if (pattern.matches()) {
        prefixes.add(pattern.group(1) + "key/");
      } else {
        throw new ConfigException("Cannot set " + OPTION + ": entry " + (i + 1) + " (" + e.length()
            + " characters) is not a key ARN, an alias ARN or an arn:aws:kms:REGION:ACCOUNT:key/* pattern");
      }
    }
    return new TrustedKeys(keys, aliases, prefixes, OPTION);
  }

  /**
   * The default when {@code kms.allowedKeys} is unset: every key in the account and Region of a
   * master key named by {@code firstKeyArns} (the key ARNs of the dataset's first commit that
   * added DEKs). Empty when the dataset has no DEK yet, which trusts nothing.
   */
  public static TrustedKeys defaultFor(Iterable<String> firstKeyArns) {
    Set<String> prefixes = new LinkedHashSet<>();
    for (String arn : firstKeyArns) {
      int cut = arn.indexOf(":key/");
      if (KEY_ARN.matcher(arn).matches() && cut > 0) {
        prefixes.add(arn.substring(0, cut) + ":key/");
      }
    }
    return new TrustedKeys(Set.of(), Set.of(), prefixes, "the default (the account and Region of the dataset's first"
        + " master keys; set " + OPTION + " to trust others)");
  }

  /** Whether {@code keyArn} is allowed, not counting alias entries that are not resolved yet. */
  public boolean allows(String keyArn) {
    if (keyArns.contains(keyArn)) {
      return true;
    }
    for (String p : prefixes) {
      if (keyArn.startsWith(p) && KEY_ARN.matcher(keyArn).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses, before any KMS call that carries a wrapped blob, when a DEK is wrapped under a key
   * this list does not allow. Alias entries are resolved with DescribeKey through {@code kms}
   * only when a key ARN is not allowed otherwise, so a list of key ARNs and patterns makes no
   * KMS call at all.
   *
   * @param dekCountByKeyArn how many DEKs each master key ARN wraps, as the manifest records it
   * @param what the job and dataset, for the message ("decrypt of dataset cards")
   */
  public void check(Map<String, Long> dekCountByKeyArn, KeyService kms, String what) {
    SortedMap<String, Long> refused = new TreeMap<>(dekCountByKeyArn);
    refused.keySet().removeAll(allowedOf(dekCountByKeyArn.keySet(), kms));
    if (refused.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    refused.forEach((arn, n) -> parts.add(n + (n == 1 ? " DEK is" : " DEKs are") + " wrapped under master key " + arn));
    throw new UntrustedKeyException(what + ": " + String.join("; ", parts) + ", which " + source
        + " does not allow; refused before any KMS call with a wrapped key");
  }

  /**
   * Refuses a target key (rewrap's {@code --to-key}, as DescribeKey resolved it) that this list
   * does not allow: DEKs moved there would be refused by every later reader.
   */
  public void checkTarget(String keyArn, KeyService kms, String what) {
    if (allowedOf(Set.of(keyArn), kms).isEmpty()) {
      throw new UntrustedKeyException(what + ": the target key " + keyArn + " is not allowed by " + source
          + "; add it to " + OPTION + " first, or every reader would refuse the rewrapped DEKs");
    }
  }

  /** Those of {@code arns} this list allows, resolving alias entries only if some ARN is not allowed otherwise. */
  private Set<String> allowedOf(Set<String> arns, KeyService kms) {
    Set<String> ok = new LinkedHashSet<>();
    for (String arn : arns) {
      if (allows(arn)) {
        ok.add(arn);
      }
    }
    if (ok.size() < arns.size() && !aliasArns.isEmpty() && kms != null) {
      Set<String> resolved = new LinkedHashSet<>();
      for (String alias : aliasArns) {
        resolved.add(kms.describeKey(alias).keyArn());
      }
      for (String arn : arns) {
        if (resolved.contains(arn)) {
          ok.add(arn);
        }
      }
    }
    return ok;
  }

  /** The entries, as {@link #of} takes them: key ARNs, alias ARNs, then account/Region patterns. */
  public java.util.List<String> entries() {
    java.util.List<String> out = new java.util.ArrayList<>(keyArns);
    out.addAll(aliasArns);
    prefixes.forEach(p -> out.add(p + "*"));
    return out;
  }

  /** Where the list came from, for a log line. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "TrustedKeys[keys=" + keyArns + ", aliases=" + aliasArns + ", patterns=" + prefixes + "*, from " + source + "]";
  }
}
