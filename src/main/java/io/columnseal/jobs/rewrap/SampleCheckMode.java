package io.columnseal.jobs.rewrap;

import io.columnseal.ConfigException;
import java.util.Locale;

/**
 * How rewrap proves new wrappings before it commits (docs/jobs/rewrap.md, "Sample check").
 * {@link #REENCRYPT} needs only the ReEncrypt permissions the rewrap itself needs.
 */
public enum SampleCheckMode {
  /** ReEncrypt each sampled new blob to the target key again: KMS accepts only what it can unwrap. */
  REENCRYPT,
  /** Decrypt each sampled new blob and open live cells with it: needs kms:Decrypt and reads data. */
  DECRYPT,
  /** No check. */
  NONE;

  /** The option value: {@code reencrypt}, {@code decrypt} or {@code none}. */
  public String optionValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws ConfigException naming {@code --sample-check} and its values */
  public static SampleCheckMode parse(String value) {
    for (SampleCheckMode m : values()) {
      if (m.optionValue().equals(value)) {
        return m;
      }
    }
    throw ConfigException.badValue("--sample-check", value, "reencrypt, decrypt or none");
  }
}
