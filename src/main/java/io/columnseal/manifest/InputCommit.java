package io.columnseal.manifest;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ManifestState#liveInputs()} needs of a commit that recorded input fingerprints:
 * its number, run, fingerprints and added files. Kept in checkpoints so a reader that starts
 * from one needs no earlier commit.
 */
final class InputCommit {
  final long number;
  final String runId;
  final List<String> inputs;
  final List<String> files;

  InputCommit(long number, String runId, List<String> inputs, List<String> files) {
    this.number = number;
    this.runId = Checks.text(runId, "run id");
    this.inputs = List.copyOf(inputs);
    this.files = List.copyOf(files);
  }

  static InputCommit of(Commit c) {
    return new InputCommit(c.number(), c.runId(), c.inputs(), c.files());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof InputCommit)) {
      return false;
    }
    InputCommit i = (InputCommit) o;
    return i.number == number && i.runId.equals(runId) && i.inputs.equals(inputs) && i.files.equals(files);
  }

  @Override
  public int hashCode() {
    return Objects.hash(number, runId, inputs, files);
  }
}
