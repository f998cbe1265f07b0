package io.columnseal.kms;

import java.util.Objects;

/** What DescribeKey says of a master key: its full ARN and state. */
public final class KeyDescription {
  private final String keyArn;
  private final KeyState state;

  public KeyDescription(String keyArn, KeyState state) {
    this.keyArn = Objects.requireNonNull(keyArn);
    this.state = Objects.requireNonNull(state);
  }

  public String keyArn() {
    return keyArn;
  }

  public KeyState state() {
    return state;
  }

  public boolean enabled() {
    return state == KeyState.ENABLED;
  }

  @Override
  public String toString() {
    return keyArn + " (" + state.kmsName() + ")";
  }
}
