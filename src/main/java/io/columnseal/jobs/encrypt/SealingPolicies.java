package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.protect.Protection;
import java.io.Serializable;
import java.util.List;

/**
 * The column policies of one run as the executors apply them: the key groups (one DEK per
 * partition per group, made on the group's first cell), each sealed column's group, and per
 * input column whether it is masked or dropped. Plain values, resolved on the driver.
 */
final class SealingPolicies implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Each group's name (its configured key reference) and master key ARN, as DescribeKey answered. */
  final String[] groupNames;
  final String[] groupArns;
  /** Sealed column k (index among the sealed ordinals) -> its group. */
  final int[] groupOf;
  /** Sealed column k -> its protection (the switch in PartitionSealer#seal). */
  final Protection[] protectionOf;
  /** The group whose DEK seals quarantined rows: the one of kms.key. */
  final int quarantineGroup;
  /**
   * Whether DEKs name their group in the encryption context ({@code columnseal:keyGroup}): a run
   * with column policies does, a plain list does not (its DEKs stay as before).
   */
  final boolean recordsGroup;
  /** Per input ordinal: the mask's {@code show} option, or null if the column is not masked. */
  final String[] maskShow;
  /** Per input ordinal: whether the column is left out of the output. */
  final boolean[] dropped;
  /** Sealed column k -> its domain record and options (deterministic, fpe, token), else null. */
  final DomainProtection[] domainOf;

  SealingPolicies(List<String> groupNames, List<String> groupArns, int[] groupOf, Protection[] protectionOf,
      int quarantineGroup, boolean recordsGroup, String[] maskShow, boolean[] dropped, DomainProtection[] domainOf) {
    this.groupNames = groupNames.toArray(new String[0]);
    this.groupArns = groupArns.toArray(new String[0]);
    this.groupOf = groupOf.clone();
    this.protectionOf = protectionOf.clone();
    this.quarantineGroup = quarantineGroup;
    this.recordsGroup = recordsGroup;
    this.maskShow = maskShow.clone();
    this.dropped = dropped.clone();
    this.domainOf = domainOf.clone();
  }

  int groups() {
    return groupNames.length;
  }
}
