package io.columnseal.jobs.rewrap;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.DekId;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KmsAccessDeniedException;
import io.columnseal.kms.WrappedKey;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.ManifestState;
import java.util.Map;

/**
 * The default sample check: ReEncrypts each sampled new blob from the target key to the target
 * key with the DEK's own encryption context, and throws the answer away. KMS unwraps the blob
 * to do that, so it accepts only a blob of the target key made with exactly that context
 * (dataset id, DEK id, extra context). It needs no kms:Decrypt and reads no data file; unlike
 * {@link RewrapSampleCheck} it cannot tell a wrapping of another DEK with the same context from
 * the right one, as the plaintext never leaves KMS.
 */
final class ReEncryptSampleCheck implements NewWrappingCheck {
  private final KeyService kms;
  private final String targetArn;
  private final int maxDeks;

  ReEncryptSampleCheck(KeyService kms, String targetArn, int maxDeks) {
    this.kms = kms;
    this.targetArn = targetArn;
    this.maxDeks = maxDeks;
  }

  @Override
  public void check(ManifestState state, Map<DekId, RewrapEntry> candidates, RewrapReport.SampleCheck out) {
    candidates.values().stream().limit(maxDeks).forEach(entry -> {
      prove(state.deks().get(entry.id), entry);
      out.deksChecked++;
    });
  }

  private void prove(DekRecord dek, RewrapEntry entry) {
    String what = "the new wrapping of DEK " + dek.id() + " under " + entry.toKeyArn;
    WrappedKey again;
    try {
      // The backend checks that KMS names the blob's key as SourceKeyId and the target as KeyId.
      again = kms.reEncrypt(entry.newWrapping(), dek.context(), targetArn);
    } catch (ColumnsealException e) {
      String hint = e instanceof KmsAccessDeniedException
          ? " (the check needs kms:ReEncryptFrom and kms:ReEncryptTo on the target key, or --sample-check none)" : "";
      throw new RewrapFailedException("sample check failed: KMS does not accept " + what + " for ReEncrypt: "
          + e.getMessage() + hint, e);
    }
    if (!targetArn.equals(entry.toKeyArn) || !targetArn.equals(again.keyArn())) {
      throw new RewrapFailedException("sample check failed: ReEncrypt of " + what + " answered key "
          + again.keyArn() + ", not the target " + targetArn);
    }
  }
}
