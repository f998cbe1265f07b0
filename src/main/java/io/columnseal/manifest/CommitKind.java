package io.columnseal.manifest;

/** What a commit did to the dataset (docs/FORMAT.md section 5 gives the rules of each). */
public enum CommitKind {
  /** Creates the dataset (commit 1) or appends to it: adds data files and their DEKs. */
  ENCRYPT,
  /**
   * Replaces data files: removes live files and adds new ones with their DEKs, and may set a new
   * schema. Its own kind, apart from ENCRYPT, so an auditor sees every destructive change and so
   * the schema rule of appends can stay strict.
   */
  OVERWRITE,
  /** Moves DEKs to another master key (KMS ReEncrypt); touches no data file. */
  REWRAP
}
