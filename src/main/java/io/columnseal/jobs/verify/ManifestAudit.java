package io.columnseal.jobs.verify;

import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.manifest.Commit;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.ManifestStore;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * verify's look at the manifest's authentication (docs/FORMAT.md 5.4): without manifest.macKey a
 * warning; with it, every commit that carries a MAC is verified (an audit: the head alone already
 * authenticates the chain), and commits written before the key was set are counted.
 */
final class ManifestAudit {
  static final String NOT_AUTHENTICATED = "manifest-not-authenticated";
  static final String MAC = "manifest-mac";

  private ManifestAudit() {}

  /** The head was verified when the snapshot opened; the rest here. */
  static void check(Configuration conf, DatasetSnapshot snap, ManifestMacKey macKey, VerifyReport r) {
    if (macKey == null) {
      r.warn(NOT_AUTHENTICATED, "the manifest of dataset " + snap.state.datasetId() + " is not authenticated:"
          + " manifest.macKey is not set, so anyone who can write " + snap.manifestDir + " can change what readers trust"
          + " (docs/FORMAT.md 5.4)");
      return;
    }
    ManifestStore store = ManifestStore.at(snap.manifestDir, conf);
    List<Commit> history = snap.state.history();
    long authenticated = 1;
    long withoutMac = 0;
    for (Commit c : history.subList(0, history.size() - 1)) {
      if (c.mac() == null) {
        withoutMac++;
        continue;
      }
      String problem = macKey.problem(c);
      if (problem == null) {
        authenticated++;
      } else {
        r.find(MAC, "commit " + c.number() + " (" + store.commitPath(c.number()) + ") is not authenticated by"
            + " manifest.macKey " + macKey.keyId() + ": " + problem);
      }
    }
    r.commitsAuthenticated = authenticated;
    r.commitsWithoutMac = withoutMac;
  }
}
