package io.columnseal.jobs.rewrap;

import io.columnseal.crypto.DekId;
import io.columnseal.manifest.ManifestState;
import java.util.Map;

/** A way to prove, before the commit, that a sample of new wrappings holds the DEKs. */
interface NewWrappingCheck {
  /**
   * Checks up to N of {@code candidates} (DEKs of {@code state} with their new wrapping) and
   * adds the counts to {@code out}.
   *
   * @throws RewrapFailedException naming the DEK whose new wrapping failed
   */
  void check(ManifestState state, Map<DekId, RewrapEntry> candidates, RewrapReport.SampleCheck out);
}
