package io.columnseal.jobs.dataset;

/** Key groups of column policies: the columns sealed under one master key share its DEKs. */
public final class KeyGroups {
  /**
   * The encryption context pair that names a DEK's key group (the configured key reference of
   * its columns). Only DEKs of a run with column policies carry it.
   */
  public static final String CONTEXT_KEY = "columnseal:keyGroup";
  /** The label of the group of columns without their own key (a label, not the key kms.key names). */
  public static final String PLAIN_GROUP = "kms.key";

  private KeyGroups() {}

  /**
   * Why a cell of {@code column} (key group {@code group}) sealed under DEK {@code id} must be
   * refused, or null if its DEK is of the column's group (or unknown: the caller names that).
   * Columns under different master keys have different DEKs, so a mismatch is a moved cell.
   */
  public static String mismatch(String column, String group, io.columnseal.crypto.DekId id,
      io.columnseal.jobs.dataset.WrappedDek dek) {
    if (dek == null) {
      return null;
    }
    String dekGroup = dek.encryptionContext().get(CONTEXT_KEY);
    return group.equals(dekGroup) ? null : "cell in column " + column + " names DEK " + id + " of key group "
        + dekGroup + ", but the column's key group is " + group;
  }
}
