package io.columnseal.manifest;

import java.util.List;

/**
 * Reads commits of the log on demand, for a state opened from a checkpoint: its audit trail and
 * last commit are read only when asked for, and checked against the digest the state holds.
 */
interface CommitSource {
  /** Commits 1..n, chained, commit n's digest being {@code digest}. */
  List<Commit> upTo(long n, String digest);

  /** Commit n alone, its digest being {@code digest}. */
  Commit at(long n, String digest);
}
